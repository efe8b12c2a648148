/**
 * Request schemas (zod): shape, types and lengths of what clients send. Room rules (who may do what)
 * belong to the registry, not here. Unknown fields are refused so typos surface at once.
 */
import { z } from 'zod';
import { NAME_MAX_LENGTH, ROOM_NAME_MAX_LENGTH } from '../../src/shared/protocol.ts';
import { ApiError } from './errors.ts';

/** A UTF-16 surrogate without its other half: not text, and shown as garbage (or not at all). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/**
 * Characters a name cannot show: controls, format characters (zero-width spaces and joiners,
 * direction overrides), private-use and unassigned code points, line and paragraph separators, and
 * letters that render as blank (Hangul fillers, braille blank, combining grapheme joiner).
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\u034F\u115F\u1160\u2800\u3164\uFFA0]/u;

/**
 * A name or title people see: refused with a message naming the field when it holds a lone
 * surrogate or an invisible character, otherwise trimmed, with runs of spaces made one, in NFC.
 */
const displayText = (what: string, max: number) =>
  z
    .string({ error: `${what} must be text` })
    .refine((text) => !LONE_SURROGATE.test(text), `${what} is not valid Unicode text (it has a lone surrogate)`)
    .refine((text) => !INVISIBLE.test(text), `${what} must not contain invisible or control characters`)
    .transform((text) => text.normalize('NFC').replace(/\s+/gu, ' ').trim())
    .pipe(z.string().min(1, `${what} must not be empty`).max(max, `${what} must be at most ${max} characters`));

/** `POST /api/rooms`. */
export const createRoomBody = z.strictObject({
  name: displayText('name (the room name)', ROOM_NAME_MAX_LENGTH),
  hostName: displayText('hostName (your name)', NAME_MAX_LENGTH),
  listed: z.boolean({ error: 'listed must be true or false' }).default(true),
  passcode: z.string({ error: 'passcode must be text' }).max(128, 'passcode is too long').optional(),
});

/** `POST /api/rooms/:code/members`. */
export const joinRoomBody = z.strictObject({
  name: displayText('name (your name)', NAME_MAX_LENGTH),
  role: z.enum(['student', 'supervisor'], { error: 'role must be "student" or "supervisor"' }),
  supervisorKey: z.string({ error: 'supervisorKey must be text' }).max(64, 'supervisorKey is too long').optional(),
});

/** `POST /api/rooms/:code/host`. */
export const transferHostBody = z.strictObject({
  memberId: z.string({ error: 'memberId must be text' }).min(1, 'memberId must not be empty').max(64),
});

/** `PUT /api/rooms/:code/members/me/share`. */
export const shareBody = z.strictObject({
  sharing: z.boolean({ error: 'sharing must be true or false' }),
});

/** `POST /api/rooms/:code/connection-failures`. */
export const connectionFailureBody = z.strictObject({
  with: z
    .string({ error: 'with must be text: a member id or "relay"' })
    .min(1, 'with must not be empty: give a member id or "relay"')
    .max(64, 'with is too long: give a member id or "relay"'),
});

/** Parses `body` or throws a 400 that names the field at fault and what it should be. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError('invalid-request', 'Send a JSON object with Content-Type: application/json.');
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.join(', ');
    throw new ApiError('invalid-request', `Unknown field(s): ${keys}; remove them (see docs/api.md).`, issue.keys[0]);
  }
  const field = issue.path.join('.') || undefined;
  const missing = issue.path.length === 1 && !Object.hasOwn(body, issue.path[0]!);
  const message = missing ? `${field} is required` : issue.message;
  throw new ApiError('invalid-request', `${message}.`, field);
}
