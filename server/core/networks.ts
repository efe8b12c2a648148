/**
 * What the server remembers of the networks rooms are opened from (issue #22): which keep devices
 * apart (Wi-Fi client isolation, a firewall between classroom devices), so the next lesson there
 * starts on the relay instead of learning it again from failed direct calls; and on which a direct
 * call came up, so the next lesson there goes straight to peer to peer without racing the relay. A network is the
 * creator's address to /24 (IPv4) or /64 (IPv6): a school behind one public address, or a classroom
 * subnet on the LAN. Pure: no I/O, no clock (`now` comes in).
 */

/**
 * How long a network is remembered after it was last seen isolating devices, or letting a direct
 * call up: a network whose settings changed is learnt again within this.
 */
export const NETWORK_MEMORY_MS = 14 * 24 * 60 * 60 * 1000;

/** Networks remembered at most, per kind: the oldest are forgotten first (one server serves a district, not the internet). */
export const MAX_REMEMBERED_NETWORKS = 1000;

/** Networks by `networkOf`, with when each was last seen doing one thing (isolating devices; letting a direct call up). */
export type RememberedNetworks = ReadonlyMap<string, number>;

/** What rooms on a network showed last: devices kept apart, direct calls working, or nothing yet. */
export type NetworkPath = 'isolated' | 'direct' | 'unknown';

/** The network of an address (`198.51.100.0/24`, `2001:db8:1:2::/64`), or null for an address that names none. */
export function networkOf(address: string): string | null {
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/i.exec(address);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  const groups = expandIpv6(address);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : null;
}

/** When `address`'s network was last seen in `networks`, within NETWORK_MEMORY_MS of `now`. */
function seenAt(networks: RememberedNetworks, address: string, now: number): number | undefined {
  const network = networkOf(address);
  const at = network === null ? undefined : networks.get(network);
  return at !== undefined && now - at < NETWORK_MEMORY_MS ? at : undefined;
}

/** What `address`'s network showed most recently: isolation, a direct call, or nothing remembered. */
export function networkPath(
  isolated: RememberedNetworks,
  direct: RememberedNetworks,
  address: string,
  now: number,
): NetworkPath {
  const isolatedAt = seenAt(isolated, address, now);
  const directAt = seenAt(direct, address, now);
  if (isolatedAt === undefined) return directAt === undefined ? 'unknown' : 'direct';
  return directAt !== undefined && directAt > isolatedAt ? 'direct' : 'isolated';
}

/** The networks with `address`'s seen at `now` (the same map when it names no network). */
export function rememberNetwork(networks: RememberedNetworks, address: string, now: number): RememberedNetworks {
  const network = networkOf(address);
  if (network === null || networks.get(network) === now) return networks;
  const next = new Map([...networks].filter(([key, at]) => key !== network && now - at < NETWORK_MEMORY_MS));
  next.set(network, now);
  while (next.size > MAX_REMEMBERED_NETWORKS) next.delete(next.keys().next().value!);
  return next;
}

/** The eight 16-bit groups of an IPv6 address in lowercase hex without leading zeros, or null. */
function expandIpv6(address: string): string[] | null {
  const bare = address.replace(/%.*$/, '').toLowerCase();
  if (!/^[0-9a-f:]+$/.test(bare) || !bare.includes(':')) return null;
  const halves = bare.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => g.replace(/^0+(?=.)/, ''));
}
