/** A small HTTP client for the API, as any outside program would use it. */
import { request } from 'node:http';
import type {
  ClassLinkResponse,
  CreateRoomResponse,
  JoinRoomResponse,
  OwnMember,
  RoomView,
} from '../../src/shared/protocol.ts';

export interface Reply<T = unknown> {
  status: number;
  body: T;
}

/** Sends a request and returns status and parsed JSON body (null for an empty body). */
export async function call<T = unknown>(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; raw?: string; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

/** Creates a room and returns the host's seat and the key. */
export async function createRoom(base: string, name = 'Maths 7B', hostName = 'Ms Lee', listed = true) {
  const reply = await call<CreateRoomResponse>(base, 'POST', '/api/rooms', { body: { name, hostName, listed } });
  if (reply.status !== 201) throw new Error(`create failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}

/** Joins a room and returns the new member. */
export async function join(
  base: string,
  code: string,
  name: string,
  role: 'student' | 'supervisor' = 'student',
  supervisorKey?: string,
): Promise<OwnMember> {
  const reply = await call<JoinRoomResponse>(base, 'POST', `/api/rooms/${code}/members`, {
    body: { name, role, ...(supervisorKey === undefined ? {} : { supervisorKey }) },
  });
  if (reply.status !== 201) throw new Error(`join failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body.member;
}

/** Joins a class's live lesson by its link as the roster name `name`, as a student picking it would. */
export async function joinByClassLink(base: string, secret: string, name: string): Promise<OwnMember> {
  const link = await call<ClassLinkResponse>(base, 'GET', `/api/join/${secret}`);
  const entry = link.body.names?.find((n) => n.name === name);
  if (!entry) throw new Error(`${name} is not offered on the class link: ${JSON.stringify(link.body)}`);
  const reply = await call<JoinRoomResponse>(base, 'POST', `/api/join/${secret}/members`, {
    body: { rosterEntryId: entry.id },
  });
  if (reply.status !== 201) throw new Error(`join failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body.member;
}

/** The room as `token`'s member sees it. */
export async function getRoom(base: string, code: string, token: string): Promise<Reply<{ room: RoomView }>> {
  return call<{ room: RoomView }>(base, 'GET', `/api/rooms/${code}`, { token });
}

/**
 * Like `call`, but sent from a chosen loopback source address (any of 127.0.0.0/8 works on Linux),
 * so a test can play several machines on the school network.
 */
export function callFrom<T = unknown>(
  localAddress: string,
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers, localAddress, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : null) as T }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
