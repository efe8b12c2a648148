/**
 * Each room's routes, decided in one place: how its screens travel (peer to peer or through the
 * relay), which pairs go through the relay anyway, and which members cannot reach the relay.
 * Pure: the registry calls it inside its operations with the store's clock. No I/O, no clock.
 */
import {
  PEER_TO_PEER_ROUTES,
  presentsThroughRelay,
  routesDiffer,
  type RelayMode,
  type Role,
  type Routes,
  type Transport,
} from '../../src/shared/protocol.ts';
import type { NetworkPath } from './networks.ts';

/** The routing settings. */
export interface RelayPolicy {
  readonly mode: RelayMode;
  /** In auto mode, rooms with at least this many supervisors use the relay. */
  readonly minSupervisors: number;
  /** A room keeps its transport at least this long before switching again, so it never flaps. */
  readonly holdMs: number;
}

/**
 * A direct pair goes through the relay after its first failure report. Students report a direct
 * call that is not up after a few seconds while it keeps trying, so the relay call runs in
 * parallel and the supervisor keeps whichever decodes first: on a network that keeps devices
 * apart, waiting for ICE to give up costs half a minute of "Connecting…".
 */
export const DIRECT_FAILURES_TO_RELAY = 1;

/**
 * A member's link to the relay is given up on (they go direct) after this many reports in a row: a
 * call with it slow to come up (reported once after 2.5 s) or never up (10 s). A call that comes up
 * has the count forgotten (`withRelayWorking`).
 */
export const RELAY_FAILURES_TO_GO_DIRECT = 2;

/**
 * Direct connections failing in this many different pairs of a room means the network keeps devices
 * apart (Wi-Fi client isolation, a firewall): every pair of the room starts on the relay from then on.
 */
export const ISOLATION_PAIRS = 2;

/**
 * A class of more than this many students watches a shown screen through the relay, whatever the
 * room's transport: peer to peer, the presenter's browser encodes and uploads it once per student.
 * A room that reached this size keeps doing so, so that a student leaving mid-lesson does not move
 * every student's call.
 */
export const PRESENTATION_MESH_MAX_STUDENTS = 4;

/** A room's routes as the registry holds them: the wire's routes plus what decides them. */
export interface RoomRoutes extends Routes {
  /** Since when the room has had its transport (the hold time counts from here). */
  readonly transportSince: number;
  /** Connections that never came up, by pair key (direct) or `relay/<member id>`. */
  readonly failures: ReadonlyMap<string, number>;
  /** Whether a direct call has come up in this room: its network lets devices reach each other. */
  readonly directSeen: boolean;
}

/** What the routes depend on besides themselves. */
export interface RouteInputs {
  /** Everyone in the room, connected or reconnecting. */
  readonly members: readonly { readonly id: string; readonly role: Role }[];
  /** Whether the room's relay worker is up and registered with PeerServer. */
  readonly relayUp: boolean;
  /**
   * What an earlier room on the network this room was opened from showed (`networks.ts`): that it
   * keeps devices apart, that direct calls work there, or nothing yet.
   */
  readonly network?: NetworkPath;
}

/** The routes of a room that has just opened, before the policy has looked at it. */
export function initialRoutes(now: number): RoomRoutes {
  return { ...PEER_TO_PEER_ROUTES, transportSince: now, failures: new Map(), directSeen: false };
}

/** The routes with one more failure counted under `key`. */
export function withFailure(routes: RoomRoutes, key: string): RoomRoutes {
  const failures = new Map(routes.failures).set(key, (routes.failures.get(key) ?? 0) + 1);
  return { ...routes, failures };
}

/**
 * The routes with a member's failed links to the relay forgotten, as one of their connections with
 * it has come up; the routes themselves when there is nothing to forget, or when the member already
 * goes direct (a late success does not move them back and forth).
 */
export function withRelayWorking(routes: RoomRoutes, memberId: string): RoomRoutes {
  const key = `relay/${memberId}`;
  const count = routes.failures.get(key) ?? 0;
  if (count === 0 || count >= RELAY_FAILURES_TO_GO_DIRECT) return routes;
  const failures = new Map(routes.failures);
  failures.delete(key);
  return { ...routes, failures };
}

/** The routes without anything about a member who left: their pairs, failures and exceptions. */
export function withoutMember(routes: RoomRoutes, memberId: string): RoomRoutes {
  const involved = (key: string) => key.split('/').includes(memberId);
  return {
    ...routes,
    relayedPairs: routes.relayedPairs.filter((key) => !involved(key)),
    directMembers: routes.directMembers.filter((id) => id !== memberId),
    unroutablePairs: routes.unroutablePairs.filter((key) => !involved(key)),
    failures: new Map([...routes.failures].filter(([key]) => !involved(key))),
  };
}

/** Student–supervisor pairs (as pair keys) whose direct connection failed often enough to relay them. */
export function failedPairs(routes: RoomRoutes): string[] {
  return [...routes.failures]
    .filter(([key, count]) => !key.startsWith('relay/') && count >= DIRECT_FAILURES_TO_RELAY)
    .map(([key]) => key)
    .sort();
}

/** Whether direct connections have failed in enough different pairs of the room to call it isolated. */
export function isolationSeen(routes: RoomRoutes): boolean {
  return [...routes.failures.keys()].filter((key) => !key.startsWith('relay/')).length >= ISOLATION_PAIRS;
}

/**
 * The routes a room should use now. Returns `routes` itself when nothing changed, so the caller can
 * tell a change by identity.
 */
export function decideRoutes(policy: RelayPolicy, routes: RoomRoutes, inputs: RouteInputs, now: number): RoomRoutes {
  const present = new Set(inputs.members.map((m) => m.id));
  // Members who failed to reach the relay often enough send and receive directly, whatever else says.
  const directMembers = [...routes.failures]
    .filter(([key, count]) => key.startsWith('relay/') && count >= RELAY_FAILURES_TO_GO_DIRECT)
    .map(([key]) => key.slice('relay/'.length))
    .filter((id) => present.has(id));
  // Without a working relay there is only the mesh, at once: holding would mean black tiles.
  const relayUsable = policy.mode !== 'off' && inputs.relayUp;
  // A pair that cannot connect directly is relayed on its own, however small the room.
  const relayedPairs = relayUsable ? failedPairs(routes) : [];
  // A failed pair the relay cannot carry (it is off or down, or one of the two cannot reach it)
  // has no route left: the supervisor's tile says so rather than "Connecting…" for ever.
  const unroutablePairs = failedPairs(routes).filter(
    (key) => !relayUsable || key.split('/').some((id) => directMembers.includes(id)),
  );
  // Once isolation is seen, here or in an earlier room on this network, new pairs start on the relay
  // at once: waiting out direct attempts (or a hold time) on such a network only means tiles that
  // say "Connecting…" for seconds.
  const transport = !relayUsable
    ? 'mesh'
    : isolationSeen(routes) || inputs.network === 'isolated'
      ? 'relay'
      : chosenTransport(policy, routes, inputs, now);
  // Until a direct call comes up in a room on a network the server knows nothing of, every screen
  // also goes through the relay, so no first frame waits for a direct attempt to fail.
  const racing =
    transport === 'mesh' && relayUsable && !routes.directSeen && (inputs.network ?? 'unknown') === 'unknown';
  const students = inputs.members.filter((m) => m.role === 'student').length;
  const presentationTransport: Transport =
    relayUsable &&
    (transport === 'relay' || routes.presentationTransport === 'relay' || students > PRESENTATION_MESH_MAX_STUDENTS)
      ? 'relay'
      : 'mesh';
  const decided: RoomRoutes = {
    ...routes,
    transport,
    transportSince: transport === routes.transport ? routes.transportSince : now,
    relayedPairs,
    directMembers: keepOrder(routes.directMembers, directMembers),
    unroutablePairs,
    presentationTransport,
    racing,
  };
  return routesDiffer(decided, routes) ? decided : routes;
}

/**
 * Whether some screen in a room goes through the relay: a student's (the room's transport, a race,
 * or a rerouted pair), or the one `presenterId` shows to the class (null while none is shown).
 */
export function usesRelay(routes: Routes, presenterId: string | null): boolean {
  return (
    routes.transport === 'relay' ||
    routes.racing ||
    routes.relayedPairs.length > 0 ||
    (presenterId !== null && presentsThroughRelay(routes, presenterId))
  );
}

// ---------------------------------------------------------------------------------------------

/** The room's transport with a working relay: by mode, and in auto mode by supervisors, with hold. */
function chosenTransport(policy: RelayPolicy, routes: RoomRoutes, inputs: RouteInputs, now: number): Transport {
  if (policy.mode === 'always') return 'relay';
  const supervisors = inputs.members.filter((m) => m.role === 'supervisor').length;
  const wanted: Transport = supervisors >= policy.minSupervisors ? 'relay' : 'mesh';
  if (wanted === routes.transport) return wanted;
  return now - routes.transportSince >= policy.holdMs ? wanted : routes.transport;
}

/** `next`, with the items already in `previous` first and in their order (members read it as a list). */
function keepOrder(previous: readonly string[], next: readonly string[]): string[] {
  return [...previous.filter((id) => next.includes(id)), ...next.filter((id) => !previous.includes(id))];
}
