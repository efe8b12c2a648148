/**
 * The classes database's schema, as versioned steps Kysely's Migrator runs at open, in name order,
 * each once. Written with Kysely's schema builder in types both dialects share (text, bigint,
 * integer), so SQLite and PostgreSQL get the same tables. A released step is never edited: a
 * change is a new step. Steps see the database untyped, as it was when they were written.
 */
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

/** Every step, by name; names sort in the order they run. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-classes-rosters-records': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('oidc_issuer', 'text')
        .addColumn('oidc_subject', 'text')
        .addColumn('email', 'text')
        .addColumn('name', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('accounts_oidc_unique', ['oidc_issuer', 'oidc_subject'])
        .addUniqueConstraint('accounts_email_unique', ['email'])
        .execute();

      await db.schema
        .createTable('classes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('join_secret', 'text', (c) => c.notNull().unique())
        .addColumn('archived_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addCheckConstraint('classes_name_length', sql`length(name) between 1 and 200`)
        .execute();

      await db.schema
        .createTable('class_teachers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('class_id', 'text', (c) => c.notNull().references('classes.id').onDelete('cascade'))
        .addColumn('account_id', 'text', (c) => c.references('accounts.id').onDelete('cascade'))
        .addColumn('email', 'text')
        .addColumn('added_at', 'bigint', (c) => c.notNull())
        .addCheckConstraint('class_teachers_who', sql`account_id is not null or email is not null`)
        .addUniqueConstraint('class_teachers_account_unique', ['class_id', 'account_id'])
        .addUniqueConstraint('class_teachers_email_unique', ['class_id', 'email'])
        .execute();
      await db.schema.createIndex('class_teachers_by_account').on('class_teachers').column('account_id').execute();
      await db.schema.createIndex('class_teachers_by_email').on('class_teachers').column('email').execute();

      await db.schema
        .createTable('roster_entries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('class_id', 'text', (c) => c.notNull().references('classes.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('email', 'text')
        .addColumn('student_id', 'text')
        .addColumn('external_id', 'text')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('added_at', 'bigint', (c) => c.notNull())
        .addCheckConstraint('roster_entries_name_length', sql`length(name) between 1 and 200`)
        .addCheckConstraint('roster_entries_source', sql`source in ('typed', 'csv', 'oneroster')`)
        .addUniqueConstraint('roster_entries_email_unique', ['class_id', 'email'])
        .addUniqueConstraint('roster_entries_student_id_unique', ['class_id', 'student_id'])
        .addUniqueConstraint('roster_entries_external_id_unique', ['class_id', 'external_id'])
        .execute();
      await db.schema.createIndex('roster_entries_by_email').on('roster_entries').column('email').execute();
      await db.schema.createIndex('roster_entries_by_student_id').on('roster_entries').column('student_id').execute();

      await db.schema
        .createTable('lessons')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('class_id', 'text', (c) => c.notNull().references('classes.id').onDelete('cascade'))
        .addColumn('room_code', 'text', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('ended_at', 'bigint')
        .execute();
      await db.schema.createIndex('lessons_by_class').on('lessons').columns(['class_id', 'started_at']).execute();
      await db.schema.createIndex('lessons_by_end').on('lessons').column('ended_at').execute();
      // At most one live lesson per class, even with two instances starting one at once.
      await db.schema
        .createIndex('lessons_one_live')
        .on('lessons')
        .column('class_id')
        .unique()
        .where(sql.ref('ended_at'), 'is', null)
        .execute();

      await db.schema
        .createTable('lesson_attendance')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('lesson_id', 'text', (c) => c.notNull().references('lessons.id').onDelete('cascade'))
        .addColumn('student_key', 'text', (c) => c.notNull())
        .addColumn('roster_entry_id', 'text', (c) => c.references('roster_entries.id').onDelete('set null'))
        .addColumn('account_id', 'text', (c) => c.references('accounts.id').onDelete('set null'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('email', 'text')
        .addColumn('student_id', 'text')
        .addColumn('joined_at', 'bigint', (c) => c.notNull())
        .addColumn('left_at', 'bigint')
        .addColumn('sharing_ms', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('stops', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('hands_raised', 'integer', (c) => c.notNull().defaultTo(0))
        .addUniqueConstraint('lesson_attendance_student_unique', ['lesson_id', 'student_key'])
        .execute();
      for (const column of ['roster_entry_id', 'account_id', 'email', 'student_id'])
        await db.schema.createIndex(`lesson_attendance_by_${column}`).on('lesson_attendance').column(column).execute();
    },
  },
  '0002-class-teacher-keys': {
    async up(db: Kysely<unknown>) {
      // The SHA-256 (hex) of the class teacher key: how a teacher without an account proves they
      // teach the class. Null for a class made before keys (none was served), which no key opens.
      await db.schema.alterTable('classes').addColumn('teacher_key_hash', 'text').execute();
    },
  },
  '0003-sign-in-sessions': {
    async up(db: Kysely<unknown>) {
      // A signed-in browser's session: only the SHA-256 (hex) of the id its cookie holds is kept,
      // so a copy of the database signs nobody in.
      await db.schema
        .createTable('sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('teaches', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_by_account').on('sessions').column('account_id').execute();
      await db.schema.createIndex('sessions_by_expiry').on('sessions').column('expires_at').execute();
      // A sign-in under way, between the redirect to the provider and its answer: the browser's
      // cookie names it (hashed here), so the PKCE verifier and nonce never leave the server.
      await db.schema
        .createTable('sign_in_flows')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('nonce', 'text', (c) => c.notNull())
        .addColumn('code_verifier', 'text', (c) => c.notNull())
        .addColumn('redirect_uri', 'text', (c) => c.notNull())
        .addColumn('return_to', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sign_in_flows_by_expiry').on('sign_in_flows').column('expires_at').execute();
    },
  },
  '0004-session-teacher-claim': {
    async up(db: Kysely<unknown>) {
      // A session keeps only what the ID token alone could tell (the teacher claim); whether the
      // address teaches is judged again on every request. A session from before kept the whole
      // verdict, which stands in for the claim until it expires (at most OIDC_SESSION_HOURS).
      await db.schema.alterTable('sessions').renameColumn('teaches', 'teacher_claim').execute();
    },
  },
};

/** The steps for Kysely's Migrator, from this module rather than from files, so the build carries them. */
export const migrationProvider: MigrationProvider = { getMigrations: async () => ({ ...MIGRATIONS }) };
