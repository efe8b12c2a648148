/**
 * Runs a relay node (`npm run relay`'s entry) as its own process, as on another machine: from source
 * through tsx for integration tests, or the built JavaScript for browser tests.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { root } from './built-server.ts';

/** A relay node process. */
export interface RelayNodeProcess {
  readonly pid: number;
  /** Everything it wrote to stdout and stderr so far. */
  readonly output: () => string;
  /** Resolves with its exit code once it has exited. */
  readonly exited: Promise<number | null>;
  /** Whether it is still running. */
  readonly running: () => boolean;
  /** Sends it a signal. */
  kill(signal: NodeJS.Signals): void;
}

/** Starts a node connecting to `serverUrl` with `secret`; `env` adds or overrides settings. */
export function startRelayNode(
  serverUrl: string,
  secret: string,
  env: Record<string, string> = {},
  options: { built?: boolean } = {},
): RelayNodeProcess {
  const args = options.built
    ? [join(root, 'dist/node/server/relay/node/main.js')]
    : ['--import', 'tsx', join(root, 'server/relay/node/main.ts')];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: {
      ...process.env,
      RELAY_SERVER_URL: serverUrl,
      RELAY_NODE_SECRET: secret,
      RELAY_ANNOUNCED_IPS: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let running = true;
  child.stdout.on('data', (chunk: Buffer) => (output += String(chunk)));
  child.stderr.on('data', (chunk: Buffer) => (output += String(chunk)));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running = false;
      resolve(code);
    }),
  );
  // Never leave a node behind, even when a test throws.
  const killChild = () => child.kill('SIGKILL');
  process.once('exit', killChild);
  void exited.then(() => process.off('exit', killChild));
  return {
    pid: child.pid!,
    output: () => output,
    exited,
    running: () => running,
    kill: (signal) => child.kill(signal),
  };
}

/** The node's log lines (pino JSON) with the message `msg`, with the peer id some of them name. */
export function nodeSaid(node: RelayNodeProcess, msg: string): { msg: string; peerId?: string }[] {
  return node
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg: string; peerId?: string })
    .filter((line) => line.msg === msg);
}

/** What a node logs when a restarted app server takes it back under its identity. */
export const TAKEN_BACK = 'the app server took this relay back; its calls carry on';
/** What a node logs each time it registers with PeerServer, naming its peer id. */
export const REGISTERED = 'relay node is up: registered with PeerServer';
