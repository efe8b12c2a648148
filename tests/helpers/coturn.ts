/**
 * A real coturn (Debian's `turnserver`) for tests: on 127.0.0.1, UDP only, on a free port, checking
 * TURN REST API credentials against a shared secret (`use-auth-secret`) as a school's would, no
 * TLS, no CLI, logging to stdout; stopped by its PID. `.ci/run` installs coturn when it is missing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running coturn. */
export interface TestCoturn {
  readonly host: string;
  readonly port: number;
  /** `turn:` URL for the app server's TURN_URLS. */
  readonly url: string;
  /** Its static-auth-secret, for the app server's TURN_SECRET. */
  readonly secret: string;
  readonly realm: string;
  /** Everything it logged so far. */
  readonly log: () => string;
  /** Stops it (SIGTERM, then SIGKILL after 2 s) and resolves once it has exited. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
/** How long coturn may take to answer its first STUN binding request. */
const START_TIMEOUT_MS = 10_000;

/** Starts coturn and resolves once it answers STUN on its port. */
export async function startCoturn(): Promise<TestCoturn> {
  const port = await freeUdpPort();
  // coturn picks relay ports from this range and skips ones in use; 100 are plenty for one test.
  const minPort = 50_000 + Math.floor(Math.random() * 150) * 100;
  const dir = mkdtempSync(join(tmpdir(), 'classroom-coturn-'));
  const secret = randomBytes(24).toString('base64url');
  const realm = 'test.school.example';
  const args = [
    '-n',
    '--listening-ip',
    HOST,
    '--relay-ip',
    HOST,
    '--listening-port',
    String(port),
    '--min-port',
    String(minPort),
    '--max-port',
    String(minPort + 99),
    '--use-auth-secret',
    '--static-auth-secret',
    secret,
    '--realm',
    realm,
    '--no-tcp',
    '--no-tls',
    '--no-dtls',
    '--no-cli',
    '--simple-log',
    '--log-file',
    'stdout',
    '--pidfile',
    join(dir, 'turnserver.pid'),
    '--userdb',
    join(dir, 'turndb'),
  ];
  let output = '';
  const child: ChildProcess = spawn('turnserver', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdout!.on('data', (chunk: Buffer) => (output += String(chunk)));
  child.stderr!.on('data', (chunk: Buffer) => (output += String(chunk)));
  const started = new Promise<never>((_resolve, reject) => {
    child.once('error', (error) =>
      reject(new Error(`turnserver could not start (${error.message}); install it: apt-get install coturn`)),
    );
    void exit.then(() => reject(new Error(`turnserver exited: ${output.slice(-1000)}`)));
  });
  // Only the start races it; its exit at `stop()` is no error.
  started.catch(() => undefined);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(child.pid!, 'SIGTERM');
      const forced = setTimeout(() => child.exitCode === null && process.kill(child.pid!, 'SIGKILL'), 2_000);
      await exit;
      clearTimeout(forced);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([answersStun(port), started]);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    host: HOST,
    port,
    url: `turn:${HOST}:${port}?transport=udp`,
    secret,
    realm,
    log: () => output,
    stop,
  };
}

/** A UDP port free on loopback right now. */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, HOST, resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** Resolves once `port` answers a STUN Binding request, asking every 100 ms until START_TIMEOUT_MS. */
async function answersStun(port: number): Promise<void> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, HOST, resolve));
  const transaction = randomBytes(12);
  const request = Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]), transaction]);
  try {
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + START_TIMEOUT_MS;
      const ask = setInterval(() => {
        if (Date.now() > deadline) {
          clearInterval(ask);
          reject(new Error(`coturn did not answer STUN on ${HOST}:${port} within ${START_TIMEOUT_MS} ms`));
        } else socket.send(request, port, HOST);
      }, 100);
      socket.on('message', (data) => {
        if (data.length >= 20 && data.subarray(8, 20).equals(transaction)) {
          clearInterval(ask);
          resolve();
        }
      });
    });
  } finally {
    socket.close();
  }
}
