/**
 * A school network in namespaces, for lab tests and benchmarks: a classroom LAN (a bridge) of
 * teachers' and students' devices, a router, and the school's server (with coturn) on its own
 * subnet; each device is a network namespace of its own joined by a veth pair, each browser runs in
 * its device's namespace on the real interface. Scenarios are nftables rule sets (and tc for the
 * uplink). Everything lives inside the namespace the caller runs in (scripts/loopback-only.sh makes
 * it with `unshare -n`), so no interface of the machine ever joins the lab. Addresses come from
 * TEST-NET-2 (the classroom) and TEST-NET-3 (the server room) only.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate, createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import type { HealthResponse } from '../../src/shared/protocol.ts';
import { UNSEEN_BROWSER_UI, chromiumExecutable } from '../e2e/browser.ts';
import { root } from '../helpers/built-server.ts';

/**
 * The school's network as a test wants it:
 * - `open`: one open LAN;
 * - `isolated`: Wi-Fi client isolation, devices reach the server only;
 * - `tcp-only`: no UDP at all, and only the server's HTTPS and TURN TCP ports are open;
 * - `capped`: the class's uplink to the server room capped (tbf) with random loss (nftables numgen);
 * - `no-multicast`: multicast filtered, so Chromium's mDNS `.local` names do not resolve.
 */
export type Scenario = 'open' | 'isolated' | 'tcp-only' | 'capped' | 'no-multicast';

/** The server's address in the server room. */
export const SERVER_IP = '203.0.113.10';
/** The router's address on the classroom LAN (every device's default route). */
const LAN_GATEWAY = '198.51.100.1';
/** The router's address in the server room (the server's default route). */
const SERVER_GATEWAY = '203.0.113.1';
/** Ports inside the server's namespace (a namespace of its own: nothing else listens there). */
export const HTTPS_PORT = 8443;
/** coturn's port, for STUN/TURN over UDP and TURN over TCP. */
export const TURN_PORT = 3478;
/** The app server's own STUN responder. */
export const STUN_PORT = 3479;

/** How the lab is built. */
export interface LabOptions {
  scenario: Scenario;
  /** Device names (letters and digits, ≤ 8 characters), in the order they get addresses. */
  devices: readonly string[];
  /** Extra environment for the app server (RELAY_MODE and the like). */
  serverEnv?: Record<string, string>;
  /** The uplink rate in `capped` (default 10 Mbit/s) and the random loss in percent (default 1). */
  uplinkMbit?: number;
  lossPercent?: number;
  /** Start coturn beside the server and hand browsers TURN credentials (default true). */
  turn?: boolean;
}

/** A running lab. */
export interface Lab {
  /** https://203.0.113.10:8443 */
  readonly serverUrl: string;
  /** The LAN address of each device. */
  readonly addresses: ReadonlyMap<string, string>;
  /** A Chromium running in the device's namespace, trusting the lab's certificate authority only. */
  browser(device: string, role: 'student' | 'teacher'): Promise<Browser>;
  /**
   * Packets the school's server room (the app server, its relay workers, coturn) sent toward an
   * address outside the school's two networks, which the router counted and dropped: a DNS query,
   * a public STUN server. The product promises none. (The browsers' own background lookups are the
   * browser's business, not the app's: the app's pages may connect only to their own origin.)
   */
  serverEscapes(): number;
  /** Every page open on the lab's devices, with the device it runs on. */
  pages(): { device: string; page: Page }[];
  /** Tears everything down; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Chromium flags in the lab: the defaults of a managed school device, no loopback shortcuts. Only a
 * device that shares its screen gets the switch that answers capture prompts; Chromium then treats
 * the page as granted and shows its real addresses, while a teacher's page hides them behind mDNS
 * names, as on a real device without a camera grant.
 */
function labChromiumArgs(spkiHash: string, captures: boolean): string[] {
  return [
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    ...(captures ? ['--use-fake-ui-for-media-stream'] : []),
    '--use-fake-device-for-media-stream',
    '--auto-select-desktop-capture-source=Entire screen',
    // What a managed device gets from its admin: trust for the school's own authority, nothing else.
    `--ignore-certificate-errors-spki-list=${spkiHash}`,
    `--disable-features=${UNSEEN_BROWSER_UI.join(',')}`,
  ];
}

/** Builds the lab, starts the server (and coturn) in it, and resolves once the server is healthy. */
export async function startLab(options: LabOptions): Promise<Lab> {
  checkIsolated();
  const dir = mkdtempSync(join(tmpdir(), 'school-lab-'));
  const children: ChildProcess[] = [];
  // The app server stops for good (SIGINT): on SIGTERM its relay workers would forward on for a
  // next process and outlive the lab, busy beside the next test.
  let appServer: ChildProcess | undefined;
  const holders = new Map<string, ChildProcess>();
  /** Each Chromium launched, with the device it runs on. */
  const browsers = new Map<Browser, string>();
  let closed = false;
  const killAll = () => {
    for (const child of [...children, ...holders.values()]) if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killAll);

  const close = async () => {
    if (closed) return;
    closed = true;
    await Promise.all([...browsers.keys()].map((b) => b.close().catch(() => undefined)));
    for (const child of children) await stop(child, child === appServer ? 'SIGINT' : 'SIGTERM');
    for (const holder of holders.values()) await stop(holder, 'SIGTERM');
    // A process that outlived its device would keep the namespace and its veth: remove them anyway.
    for (const name of holders.keys()) run('ip', ['link', 'delete', vethName(name)], true);
    process.off('exit', killAll);
    run('nft', ['delete', 'table', 'inet', 'lab'], true);
    run('nft', ['delete', 'table', 'inet', 'edge'], true);
    run('nft', ['delete', 'table', 'bridge', 'lab'], true);
    for (const bridge of ['br-lan', 'br-srv']) run('ip', ['link', 'delete', bridge], true);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    // The router (this namespace), the two networks, and a namespace per device.
    writeFileSync('/proc/sys/net/ipv4/ip_forward', '1');
    bridge('br-lan', `${LAN_GATEWAY}/24`);
    bridge('br-srv', `${SERVER_GATEWAY}/24`);
    holders.set('server', await device('server', 'br-srv', `${SERVER_IP}/24`, SERVER_GATEWAY));
    const addresses = new Map<string, string>();
    options.devices.forEach((name, i) => addresses.set(name, `198.51.100.${20 + i}`));
    for (const [name, ip] of addresses) holders.set(name, await device(name, 'br-lan', `${ip}/24`, LAN_GATEWAY));
    applyScenario(options, dir);
    watchEdge(dir);

    const tls = makeCertificates(dir);
    const turnSecret = randomBytes(24).toString('base64url');
    const useTurn = options.turn ?? true;
    if (useTurn) {
      const turn = inNamespace(holders.get('server')!, 'turnserver', [
        '-n',
        '--listening-ip',
        SERVER_IP,
        '--relay-ip',
        SERVER_IP,
        '--listening-port',
        String(TURN_PORT),
        '--min-port',
        '49160',
        '--max-port',
        '49200',
        '--use-auth-secret',
        '--static-auth-secret',
        turnSecret,
        '--realm',
        'lab.school.example',
        '--no-tls',
        '--no-dtls',
        '--no-cli',
        '--fingerprint',
        '--allow-loopback-peers',
        '--simple-log',
        '--log-file',
        'stdout',
      ]);
      children.push(turn);
    }
    const server = inNamespace(holders.get('server')!, process.execPath, [join(root, 'dist/node/server/index.js')], {
      PORT: String(HTTPS_PORT),
      HOST: SERVER_IP,
      TLS_CERT_FILE: tls.certFile,
      TLS_KEY_FILE: tls.keyFile,
      LOG_LEVEL: 'warn',
      // Each lab saves its rooms in its own folder: rooms left by an earlier lab would count
      // against the per-address room limit of the same lab addresses.
      DATA_DIR: join(dir, 'data'),
      RATE_LIMIT_PER_MIN: '0',
      RELAY_ANNOUNCED_IPS: SERVER_IP,
      STUN_PORT: String(STUN_PORT),
      ...(useTurn
        ? {
            TURN_URLS: `turn:${SERVER_IP}:${TURN_PORT}?transport=udp,turn:${SERVER_IP}:${TURN_PORT}?transport=tcp`,
            TURN_SECRET: turnSecret,
          }
        : {}),
      ...options.serverEnv,
    });
    children.push(server);
    appServer = server;
    const serverUrl = `https://${SERVER_IP}:${HTTPS_PORT}`;
    await waitHealthy(serverUrl, tls.caPem, server);

    return {
      serverUrl,
      addresses,
      async browser(name, role) {
        const holder = holders.get(name);
        if (!holder) throw new Error(`no device named ${name} in the lab`);
        // Playwright talks to Chromium over a pipe, which nsenter passes on: no debugging port needed.
        const wrapper = join(dir, `chromium-${name}`);
        const executable = chromiumExecutable() ?? chromium.executablePath();
        writeFileSync(wrapper, `#!/bin/sh\nexec nsenter --net=/proc/${holder.pid}/ns/net ${executable} "$@"\n`);
        chmodSync(wrapper, 0o755);
        const args = labChromiumArgs(tls.spkiHash, role === 'student');
        const browser = await chromium.launch({ executablePath: wrapper, args });
        browsers.set(browser, name);
        return browser;
      },
      serverEscapes: () =>
        Number(/packets (\d+)/.exec(run('nft', ['list', 'chain', 'inet', 'edge', 'prerouting']))?.[1]),
      pages: () =>
        [...browsers].flatMap(([browser, device]) =>
          browser.contexts().flatMap((context) => context.pages().map((page) => ({ device, page }))),
        ),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------

/** Refuses to build a lab anywhere but in a namespace of our own, so no real interface is touched. */
function checkIsolated(): void {
  if (process.getuid?.() !== 0 || process.env.LOOPBACK_ONLY !== '1') {
    throw new Error('The network lab needs root inside its own namespace: run it through scripts/loopback-only.sh');
  }
  const links = run('ip', ['-o', 'link', 'show'])
    .split('\n')
    .filter((line) => line.trim() && !/^\d+: (lo|br-lan|br-srv|v[ls]-[a-z0-9]+)[@:]/.test(line));
  if (links.length > 0) throw new Error(`The lab's namespace has interfaces it did not make: ${links.join('; ')}`);
}

function run(command: string, args: string[], ignoreFailure = false): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    if (ignoreFailure) return '';
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`${command} ${args.join(' ')} failed: ${stderr.trim()}`, { cause: error });
  }
}

function bridge(name: string, address: string): void {
  run('ip', ['link', 'add', name, 'type', 'bridge']);
  // Multicast goes to every port (no snooping), as on a small Wi-Fi cell: mDNS works unless filtered.
  run('ip', ['link', 'set', name, 'type', 'bridge', 'mcast_snooping', '0']);
  run('ip', ['addr', 'add', address, 'dev', name]);
  run('ip', ['link', 'set', name, 'up']);
}

/** A device: a namespace held open by a sleeping child, joined to `bridgeName` by a veth pair. */
async function device(name: string, bridgeName: string, address: string, gateway: string): Promise<ChildProcess> {
  const holder = spawn('unshare', ['-n', 'sleep', 'infinity'], { stdio: 'ignore' });
  // The namespace exists once unshare has exec'd sleep.
  for (let i = 0; i < 100; i++) {
    const exe = run('readlink', [`/proc/${holder.pid}/exe`], true).trim();
    if (exe.endsWith('/sleep')) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const outer = vethName(name);
  run('ip', ['link', 'add', outer, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', `/proc/${holder.pid}/ns/net`]);
  run('ip', ['link', 'set', outer, 'master', bridgeName, 'up']);
  const ns = (...args: string[]) => run('nsenter', [`--net=/proc/${holder.pid}/ns/net`, ...args]);
  ns('ip', 'link', 'set', 'lo', 'up');
  ns('ip', 'addr', 'add', address, 'dev', 'eth0');
  ns('ip', 'link', 'set', 'eth0', 'up');
  ns('ip', 'route', 'add', 'default', 'via', gateway);
  return holder;
}

/** The outer end of a device's veth pair: vs-server in the server room, vl-<device> on the LAN. */
function vethName(device: string): string {
  return (device === 'server' ? 'vs-server' : `vl-${device}`).slice(0, 15);
}

/** Starts `command` in the device's namespace. */
function inNamespace(holder: ChildProcess, command: string, args: string[], env: Record<string, string> = {}) {
  return spawn('nsenter', [`--net=/proc/${holder.pid}/ns/net`, command, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** The scenario's rule sets: `inet lab` filters what the router forwards, `bridge lab` what the LAN bridges. */
function applyScenario(options: LabOptions, dir: string): void {
  const server = SERVER_IP;
  const bridgeForward = (...lines: string[]) => table('bridge', 'accept', lines);
  const routerForward = (policy: 'accept' | 'drop', ...lines: string[]) => table('inet', policy, lines);
  const rules: Record<Scenario, string> = {
    open: '',
    // Wi-Fi client isolation: the access point forwards nothing between its clients; the router
    // passes their traffic to and from the server only.
    isolated:
      bridgeForward('ether type { ip, ip6 } drop') +
      routerForward('drop', `ip daddr ${server} accept`, `ip saddr ${server} accept`),
    // No UDP anywhere; to the server only HTTPS and TURN over TCP; nothing between devices.
    'tcp-only':
      bridgeForward('ether type { ip, ip6 } drop') +
      routerForward(
        'drop',
        'ct state established,related accept',
        `ip daddr ${server} tcp dport { ${HTTPS_PORT}, ${TURN_PORT} } accept`,
      ),
    // Random loss on the uplink (tc, below, caps its rate both ways).
    capped: routerForward(
      'accept',
      `meta l4proto udp numgen random mod 1000 < ${Math.round((options.lossPercent ?? 1) * 10)} drop`,
    ),
    // The access point drops multicast: mDNS (224.0.0.251:5353, ff02::fb) never reaches anyone.
    'no-multicast': bridgeForward('ip daddr 224.0.0.0/4 drop', 'ip6 daddr ff00::/8 drop'),
  };
  const set = rules[options.scenario];
  if (set) {
    const file = join(dir, 'rules.nft');
    writeFileSync(file, set);
    run('nft', ['-f', file]);
  }
  if (options.scenario === 'capped') {
    // The class's uplink is the router's link to the LAN: its egress toward the class and toward
    // the server room, so every stream to or from the server shares one capped pipe each way.
    const rate = `${options.uplinkMbit ?? 10}mbit`;
    for (const dev of ['br-lan', 'br-srv'])
      run('tc', ['qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate', rate, 'burst', '64kb', 'latency', '100ms']);
  }
}

/**
 * The school's edge: the router drops whatever is sent toward an address beyond the lab's two
 * networks, and counts what the server room sends so. Counted as packets arrive (prerouting): the
 * router has no route out, so such a packet never reaches its forward hook.
 */
function watchEdge(dir: string): void {
  const file = join(dir, 'edge.nft');
  writeFileSync(
    file,
    [
      'table inet edge {',
      '  chain prerouting {',
      '    type filter hook prerouting priority -10; policy accept;',
      // Bridged traffic passes this hook too: a network's own multicast (mDNS, IGMP) and broadcast
      // stay on it and are no escape.
      '    meta nfproto ipv4 ip daddr { 224.0.0.0/4, 255.255.255.255 } accept',
      '    meta nfproto ipv4 ip saddr 203.0.113.0/24 ip daddr != { 198.51.100.0/24, 203.0.113.0/24 } counter drop',
      '    meta nfproto ipv4 ip daddr != { 198.51.100.0/24, 203.0.113.0/24 } drop',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  run('nft', ['-f', file]);
}

/** An nftables table `lab` of `family` with one forward chain holding `lines`. */
function table(family: 'bridge' | 'inet', policy: 'accept' | 'drop', lines: string[]): string {
  return [
    `table ${family} lab {`,
    '  chain forward {',
    `    type filter hook forward priority 0; policy ${policy};`,
    ...lines.map((line) => `    ${line}`),
    '  }',
    '}',
    '',
  ].join('\n');
}

/** A throwaway certificate authority and a certificate for the server's lab address, made with openssl. */
function makeCertificates(dir: string) {
  const path = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => run('openssl', args);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  ssl(
    'req',
    '-x509',
    ...ec,
    '-days',
    '2',
    '-subj',
    '/CN=Lab school CA',
    '-keyout',
    path('ca.key'),
    '-out',
    path('ca.pem'),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  ssl('req', ...ec, '-subj', `/CN=${SERVER_IP}`, '-keyout', path('server.key'), '-out', path('server.csr'));
  writeFileSync(path('server.ext'), `subjectAltName=IP:${SERVER_IP}\nextendedKeyUsage=serverAuth\n`);
  ssl(
    'x509',
    '-req',
    '-in',
    path('server.csr'),
    '-CA',
    path('ca.pem'),
    '-CAkey',
    path('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    path('server.ext'),
    '-out',
    path('server.pem'),
  );
  const caPem = readFileSync(path('ca.pem'), 'utf8');
  // The server sends its certificate with the authority's, as a school's would.
  writeFileSync(path('chain.pem'), readFileSync(path('server.pem'), 'utf8') + caPem);
  const spki = new X509Certificate(caPem).publicKey.export({ type: 'spki', format: 'der' });
  return {
    certFile: path('chain.pem'),
    keyFile: path('server.key'),
    caPem,
    spkiHash: createHash('sha256').update(spki).digest('base64'),
  };
}

async function waitHealthy(url: string, ca: string, server: ChildProcess): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (server.exitCode !== null) throw new Error(`the lab's server exited with ${server.exitCode}`);
    const health = await new Promise<HealthResponse | null>((resolve) => {
      const req = request(`${url}/api/health`, { ca, timeout: 1000 }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += String(chunk)));
        res.on('end', () => resolve(res.statusCode === 200 ? (JSON.parse(body) as HealthResponse) : null));
      });
      req.on('error', () => resolve(null));
      req.end();
    });
    if (health && health.relay !== 'down') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the lab server did not become healthy within 15 s');
}

async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}
