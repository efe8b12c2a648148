/**
 * The registry's fresh secrets and names: room codes, supervisor keys, member ids, peer ids and
 * bearer tokens drawn from the context's random bytes, and the folded form names are compared in.
 * Pure: the randomness comes in with the context; no I/O, no clock of its own.
 */
import { CODE_ALPHABET, CODE_LENGTH, type Role } from '../../src/shared/protocol.ts';
import type { Context, Member, Room } from './room-registry.ts';
import { hashToken } from './secrets.ts';

/** A new member and their bearer token (returned once; the member keeps only its hash). */
export function newMember(role: Role, name: string, ctx: Pick<Context, 'now' | 'random'>): [Member, string] {
  const id = hex(ctx.random(8));
  const peerId = hex(ctx.random(16));
  const token = base64url(ctx.random(32));
  const member: Member = {
    id,
    role,
    name,
    peerId,
    tokenHash: hashToken(token),
    joinedAt: ctx.now,
    connected: false,
    offlineSince: ctx.now,
    share: 'never',
  };
  return [member, token];
}

/**
 * "Sam", then "Sam (2)", "Sam (3)" ... Names are compared in a folded form, so ones that only look
 * different (full-width "Ｓａｍ", "SAM", ligatures) get the visible suffix too.
 */
export function uniqueName(room: Room, name: string): string {
  const taken = new Set(room.members.map((m) => foldName(m.name)));
  if (!taken.has(foldName(name))) return name;
  let n = 2;
  while (taken.has(foldName(`${name} (${n})`))) n++;
  return `${name} (${n})`;
}

/** The form names are compared in: compatibility-normalised (NFKC) and case-folded. */
export function foldName(name: string): string {
  // Upper then lower case folds what lower case alone does not (ß and SS, ſ and s).
  return name.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
}

/** A fresh room code, e.g. "K7QM3X". */
export function randomCode(ctx: Pick<Context, 'random'>): string {
  return fromAlphabet(ctx.random(CODE_LENGTH));
}

/** Three groups of four, e.g. "K7QM-3XTA-PW9D": about 60 bits, easy to read out to a colleague. */
export function randomSupervisorKey(ctx: Pick<Context, 'random'>): string {
  const chars = fromAlphabet(ctx.random(12));
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
}

/** 256 is a multiple of the 32-letter alphabet, so `byte % 32` is unbiased. */
function fromAlphabet(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += CODE_ALPHABET[b % CODE_ALPHABET.length];
  return out;
}

/** Bytes as lowercase hex: member ids, peer ids and the tools' ids. */
export function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}
