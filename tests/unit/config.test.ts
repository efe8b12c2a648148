import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  OPTIONS,
  loadConfig,
  portSlices,
  relayNodeSettings,
  relayWorkerCount,
} from '../../server/config.ts';

describe('loadConfig', () => {
  it('gives working defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      tls: null,
      iceServers: [],
      stunPort: 3478,
      turn: null,
      maxMembersPerRoom: 200,
      reconnectGraceS: 20,
      emptyRoomTtlS: 600,
      logLevel: 'info',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every option', () => {
    const config = loadConfig({
      PORT: '8443',
      HOST: '127.0.0.1',
      TLS_CERT_FILE: '/c.pem',
      TLS_KEY_FILE: '/k.pem',
      ICE_SERVERS: '[{"urls":["stun:stun.school.example:3478"]}]',
      STUN_PORT: '3479',
      TURN_URLS: 'turn:198.51.100.2:3478?transport=udp, turns:turn.school.example:5349?transport=tcp',
      TURN_SECRET: 'sixteen-chars-or-more',
      TURN_TTL_S: '600',
      MAX_ROOMS: '10',
      MAX_MEMBERS_PER_ROOM: '40',
      RECONNECT_GRACE_S: '5',
      EMPTY_ROOM_TTL_S: '60',
      UNCLAIMED_ROOM_TTL_S: '30',
      ROOMS_PER_ADDRESS: '3',
      ROOM_CREATIONS_PER_HOUR: '12',
      TEACHER_PASSCODE: ' staffroom-kettle-42 ',
      SEAT_RATE_LIMIT_PER_MIN: '120',
      RATE_LIMIT_PER_MIN: '0',
      READ_RATE_LIMIT_PER_MIN: '600',
      STREAMS_PER_ADDRESS: '20',
      TRUST_PROXY: 'true',
      LOG_LEVEL: 'WARN',
      RELAY_MODE: 'auto',
      RELAY_MIN_SUPERVISORS: '4',
      RELAY_HOLD_S: '10',
      RELAY_ANNOUNCED_IPS: '192.0.2.10, 127.0.0.1',
      RELAY_PORT_RANGE: '40000-40199',
      RELAY_WORKERS: '3',
      RELAY_NODE_SECRET: ' 0123456789abcdef0123456789abcdef ',
      RELAY_SERVER_URL: 'https://screens.school.example:8443/',
      DATA_DIR: '/srv/data',
      EXTENSION_KEY_FILE: ' /etc/cs/extension-key.pem ',
      STORE_URL: 'redis://127.0.0.1:6380/2',
      DATABASE_URL: 'postgres://classroom:secret@db.school.example:5432/classroom',
      RECORD_RETENTION_DAYS: '30',
      PUBLIC_URL: 'https://screens.school.example/',
      OIDC_ISSUER: 'https://accounts.google.com',
      OIDC_CLIENT_ID: 'classroom.apps.example',
      OIDC_CLIENT_SECRET: 'from-the-console',
      OIDC_ALLOWED_DOMAINS: 'School.example, students.school.example',
      OIDC_TEACHERS: 'Ada@School.example',
      OIDC_TEACHER_CLAIM: 'roles=Teacher',
      OIDC_SESSION_HOURS: '8',
    });
    expect(config).toEqual({
      port: 8443,
      host: '127.0.0.1',
      tls: { certFile: '/c.pem', keyFile: '/k.pem' },
      iceServers: [{ urls: ['stun:stun.school.example:3478'] }],
      stunPort: 3479,
      turn: {
        urls: ['turn:198.51.100.2:3478?transport=udp', 'turns:turn.school.example:5349?transport=tcp'],
        secret: 'sixteen-chars-or-more',
        ttlS: 600,
      },
      maxRooms: 10,
      maxMembersPerRoom: 40,
      reconnectGraceS: 5,
      emptyRoomTtlS: 60,
      unclaimedRoomTtlS: 30,
      roomsPerAddress: 3,
      roomCreationsPerHour: 12,
      teacherPasscode: 'staffroom-kettle-42',
      seatRateLimitPerMinute: 120,
      rateLimitPerMinute: 0,
      readRateLimitPerMinute: 600,
      streamsPerAddress: 20,
      trustProxy: true,
      logLevel: 'warn',
      metricsToken: null,
      store: { kind: 'redis', url: 'redis://127.0.0.1:6380/2' },
      database: { kind: 'postgres', url: 'postgres://classroom:secret@db.school.example:5432/classroom' },
      recordRetentionDays: 30,
      extensionKey: { kind: 'file', file: '/etc/cs/extension-key.pem' },
      publicUrl: 'https://screens.school.example',
      signIn: {
        issuer: 'https://accounts.google.com',
        clientId: 'classroom.apps.example',
        clientSecret: 'from-the-console',
        allowedDomains: ['school.example', 'students.school.example'],
        teacherDomains: [],
        teachers: ['ada@school.example'],
        teacherClaim: { claim: 'roles', value: 'Teacher' },
        sessionHours: 8,
        studentsMustSignIn: false,
      },
      relay: {
        mode: 'auto',
        minSupervisors: 4,
        holdS: 10,
        announcedIps: ['192.0.2.10', '127.0.0.1'],
        portRange: [40000, 40199],
        workers: 3,
        dataDir: '/srv/data',
      },
      relayNode: { secret: '0123456789abcdef0123456789abcdef', serverUrl: 'https://screens.school.example:8443' },
    });
  });

  it('a relay node needs the app server’s URL and the shared secret, and is told which is missing', () => {
    expect(() => relayNodeSettings(loadConfig({}))).toThrow(
      'RELAY_SERVER_URL is needed on a relay node; for example RELAY_SERVER_URL=https://screens.school.example',
    );
    expect(() => relayNodeSettings(loadConfig({ RELAY_SERVER_URL: 'http://10.0.0.2:3000' }))).toThrow(
      'RELAY_NODE_SECRET is needed on a relay node, the same as on the app server',
    );
    expect(() => loadConfig({ RELAY_NODE_SECRET: 'short' })).toThrow(
      'RELAY_NODE_SECRET="short" must be at least 32 characters without spaces',
    );
    expect(() => loadConfig({ RELAY_SERVER_URL: 'ws://10.0.0.2' })).toThrow(
      'RELAY_SERVER_URL="ws://10.0.0.2" must be an http:// or https:// URL',
    );
    const secret = 'x'.repeat(32);
    expect(
      relayNodeSettings(loadConfig({ RELAY_SERVER_URL: 'http://10.0.0.2:3000', RELAY_NODE_SECRET: secret })),
    ).toEqual({
      serverUrl: 'http://10.0.0.2:3000',
      secret,
    });
    // 0 workers: only relay nodes relay.
    expect(relayWorkerCount(loadConfig({ RELAY_WORKERS: '0', RELAY_PORT_RANGE: '40000-40019' }).relay, 8)).toBe(0);
  });

  it('runs one relay worker per core, leaving one for the app above two cores, each on its own port slice', () => {
    const auto = loadConfig({}).relay;
    expect(auto.workers).toBe('auto');
    expect([1, 2, 3, 4, 16].map((cores) => relayWorkerCount(auto, cores))).toEqual([1, 2, 2, 3, 15]);
    const two = loadConfig({ RELAY_WORKERS: '2', RELAY_PORT_RANGE: '40000-40199' }).relay;
    expect(relayWorkerCount(two, 16)).toBe(2);
    expect(portSlices(two.portRange, 2)).toEqual([
      [40000, 40099],
      [40100, 40199],
    ]);
    expect(portSlices([40000, 40100], 3)).toEqual([
      [40000, 40032],
      [40033, 40065],
      [40066, 40100],
    ]);
    expect(portSlices(null, 2)).toEqual([null, null]);
    // auto never makes slices smaller than a worker needs.
    expect(relayWorkerCount(loadConfig({ RELAY_PORT_RANGE: '40000-40019' }).relay, 8)).toBe(2);
    expect(() => loadConfig({ RELAY_WORKERS: '4', RELAY_PORT_RANGE: '40000-40019' })).toThrow(
      'RELAY_PORT_RANGE=40000-40019 is too small for RELAY_WORKERS=4: each worker needs at least 10 ports',
    );
    expect(() => loadConfig({ RELAY_WORKERS: 'many' })).toThrow(
      'RELAY_WORKERS="many" must be auto or a whole number from 0 to 64; for example RELAY_WORKERS=2',
    );
  });

  it('saves room state in DATA_DIR by default, in Redis with STORE_URL, or nowhere with STORE_URL=memory', () => {
    expect(loadConfig({}).store).toEqual({ kind: 'file', dataDir: './data' });
    expect(loadConfig({ DATA_DIR: '/var/lib/cs' }).store).toEqual({ kind: 'file', dataDir: '/var/lib/cs' });
    expect(loadConfig({ STORE_URL: 'memory' }).store).toEqual({ kind: 'memory' });
    expect(() => loadConfig({ STORE_URL: 'http://127.0.0.1:6379' })).toThrow(
      'STORE_URL="http://127.0.0.1:6379" must be a redis:// URL or memory; for example STORE_URL=redis://127.0.0.1:6379/0',
    );
  });

  it('keeps the extension’s signing key in DATA_DIR unless EXTENSION_KEY_FILE names one', () => {
    expect(loadConfig({}).extensionKey).toEqual({ kind: 'data-dir', dataDir: './data' });
    expect(loadConfig({ DATA_DIR: '/var/lib/cs', STORE_URL: 'memory' }).extensionKey).toEqual({
      kind: 'data-dir',
      dataDir: '/var/lib/cs',
    });
    expect(loadConfig({ EXTENSION_KEY_FILE: '/etc/cs/key.pem' }).extensionKey).toEqual({
      kind: 'file',
      file: '/etc/cs/key.pem',
    });
  });

  it('keeps classes in SQLite in DATA_DIR by default, in PostgreSQL with DATABASE_URL, records for a year', () => {
    expect(loadConfig({}).database).toEqual({ kind: 'sqlite', dataDir: './data' });
    expect(loadConfig({ DATA_DIR: '/var/lib/cs', STORE_URL: 'memory' }).database).toEqual({
      kind: 'sqlite',
      dataDir: '/var/lib/cs',
    });
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/classes' }).database).toEqual({
      kind: 'postgres',
      url: 'postgresql://db/classes',
    });
    expect(() => loadConfig({ DATABASE_URL: 'mysql://db/classes' })).toThrow(
      'DATABASE_URL="mysql://db/classes" must be a postgres:// URL with a host; for example DATABASE_URL=postgres://classroom:secret@127.0.0.1:5432/classroom',
    );
    expect(loadConfig({}).recordRetentionDays).toBe(365);
    expect(() => loadConfig({ RECORD_RETENTION_DAYS: '0' })).toThrow(
      'RECORD_RETENTION_DAYS="0" must be a whole number from 1 to 36500; for example RECORD_RETENTION_DAYS=365',
    );
  });

  it('needs TURN_URLS and TURN_SECRET together', () => {
    expect(() => loadConfig({ TURN_SECRET: 'sixteen-chars-or-more' })).toThrow(/TURN_URLS and TURN_SECRET go together/);
    expect(() => loadConfig({ TURN_URLS: 'turn:198.51.100.2:3478' })).toThrow(/set both/);
    expect(() => loadConfig({ TURN_URLS: 'turn:198.51.100.2:3478', TURN_SECRET: 'short' })).toThrow(
      /TURN_SECRET="short" must be at least 16 characters/,
    );
  });

  it('turns the STUN responder off with STUN_PORT=off', () => {
    expect(loadConfig({ STUN_PORT: 'off' }).stunPort).toBeNull();
    expect(loadConfig({ STUN_PORT: 'OFF' }).stunPort).toBeNull();
  });

  it('reports every problem at once, each with an example of a valid value', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        ICE_SERVERS: '[{"urls":"http://x"}]',
        TLS_CERT_FILE: '/c.pem',
        LOG_LEVEL: 'loud',
        RELAY_MODE: 'sometimes',
        RELAY_PORT_RANGE: '5000-4000',
        STUN_PORT: 'on',
        TURN_URLS: 'https://turn.school.example',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(8);
    expect(problems.find((p) => p.startsWith('STUN_PORT'))).toContain('for example STUN_PORT=3478');
    expect(problems.find((p) => p.startsWith('TURN_URLS='))).toContain('must be turn: or turns: URLs');

    expect(problems.find((p) => p.startsWith('RELAY_MODE'))).toContain(
      'must be off, auto or always; for example RELAY_MODE=auto',
    );
    expect(problems.find((p) => p.startsWith('RELAY_PORT_RANGE'))).toContain(
      'for example RELAY_PORT_RANGE=40000-40199',
    );
    expect(problems[0]).toMatch(/^PORT="eighty" must be a whole number from 0 to 65535; for example PORT=3000$/);
    expect(problems.find((p) => p.startsWith('ICE_SERVERS'))).toContain('for example ICE_SERVERS=[{"urls":"turn:');
    expect(problems.find((p) => p.startsWith('TLS_CERT_FILE and TLS_KEY_FILE'))).toContain('set both');
    expect(problems.find((p) => p.startsWith('LOG_LEVEL'))).toContain('for example LOG_LEVEL=info');
  });

  it('turns sign-in on only with an issuer, a client and who may sign in, naming what is missing or stray', () => {
    expect(loadConfig({}).signIn).toBeNull();
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    expect(problems({ OIDC_CLIENT_ID: 'app' })).toEqual([
      expect.stringMatching(
        /^OIDC_CLIENT_ID is set but OIDC_ISSUER is not; set OIDC_ISSUER \(for example OIDC_ISSUER=https:/,
      ),
    ]);
    // Students who must sign in where nobody can would be locked out; left off, it is harmless.
    expect(problems({ OIDC_STUDENTS_MUST_SIGN_IN: 'true' })).toEqual([
      expect.stringMatching(/^OIDC_STUDENTS_MUST_SIGN_IN is set but OIDC_ISSUER is not/),
    ]);
    expect(problems({ OIDC_STUDENTS_MUST_SIGN_IN: 'false' })).toEqual([]);
    expect(problems({ OIDC_ISSUER: 'https://idp.school.example' })).toEqual([
      expect.stringMatching(/^OIDC_CLIENT_ID is needed with OIDC_ISSUER; for example OIDC_CLIENT_ID=/),
      expect.stringMatching(/^OIDC_CLIENT_SECRET is needed with OIDC_ISSUER/),
      expect.stringMatching(/^OIDC_ALLOWED_DOMAINS \(or OIDC_TEACHER_DOMAINS\) is needed with OIDC_ISSUER/),
    ]);
    expect(problems({ OIDC_ISSUER: 'http://idp.school.example' })[0]).toContain(
      'must be an https:// URL (http:// only for a provider on this machine)',
    );
    expect(problems({ OIDC_TEACHER_CLAIM: 'roles', OIDC_ISSUER: 'http://127.0.0.1:9000' })[0]).toMatch(
      /^OIDC_TEACHER_CLAIM="roles" must be claim=value; for example OIDC_TEACHER_CLAIM=roles=Teacher$/,
    );
    expect(problems({ PUBLIC_URL: 'https://screens.school.example/app' })[0]).toContain('without a path');
  });

  it('is documented, option for option, in .env.example and the README', () => {
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const key of Object.keys(OPTIONS)) {
      expect(example, `.env.example documents ${key}`).toMatch(new RegExp(`^#? ?${key}=`, 'm'));
      const fallback = OPTIONS[key as keyof typeof OPTIONS].fallback;
      if (fallback !== undefined)
        expect(example, `.env.example's default for ${key}`).toContain(`# ${key}=${fallback}\n`);
      const rows = readme.split('\n').filter((line) => line.startsWith(`| \`${key}\``));
      expect(rows, `README lists ${key} once`).toHaveLength(1);
      const option = OPTIONS[key as keyof typeof OPTIONS];
      const shown = rows[0]!.split('|')[2]!.trim();
      expect(shown, `README's default for ${key}`).toBe(
        option.fallback === undefined ? '(unset)' : `\`${option.fallback}\``,
      );
    }
  });
});
