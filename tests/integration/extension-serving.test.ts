/**
 * The real server serving the companion extension for force-installation: update.xml names the CRX
 * by the address it was asked at (behind a proxy only with TRUST_PROXY), the CRX is signed with the
 * key kept in DATA_DIR and holds the build, and the id survives a restart.
 */
import { createPublicKey, verify } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ExtensionInfo } from '../../src/shared/protocol.ts';
import { crxFiles, crxManifest, readCrx3 } from '../helpers/crx3-reader.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let root: string;
let build: string;
const servers: TestServer[] = [];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'classroom-extension-serving-'));
  build = join(root, 'build');
  mkdirSync(join(build, 'chunks'), { recursive: true });
  writeFileSync(join(build, 'manifest.json'), JSON.stringify({ manifest_version: 3, name: 'T', version: '2.5.0' }));
  writeFileSync(join(build, 'background.js'), 'import "./chunks/a.js";');
  writeFileSync(join(build, 'chunks', 'a.js'), 'export {};');
});
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A server serving the build, its key in `dataDir`. */
async function serve(dataDir: string, env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startTestServer({ DATA_DIR: dataDir, ...env }, { extensionDir: build });
  servers.push(server);
  return server;
}

/** The update manifest's app: its id, CRX address and version. */
function readUpdateXml(xml: string): { appid: string; codebase: string; version: string } {
  expect(xml).toMatch(
    /^<\?xml version='1\.0' encoding='UTF-8'\?>\n<gupdate xmlns='http:\/\/www\.google\.com\/update2\/response' protocol='2\.0'>/,
  );
  const app = /<app appid='([a-p]{32})'>\s*<updatecheck codebase='([^']+)' version='([^']+)' \/>\s*<\/app>/.exec(xml);
  expect(app, xml).not.toBeNull();
  return { appid: app![1]!, codebase: app![2]!, version: app![3]! };
}

describe('the companion extension, served for force-installation', () => {
  it('update.xml names the signed CRX on this server, which holds the build', async () => {
    const server = await serve(join(root, 'data-a'));
    const updateXml = await fetch(`${server.url}/extension/update.xml`);
    expect(updateXml.status).toBe(200);
    expect(updateXml.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    const update = readUpdateXml(await updateXml.text());
    expect(update.codebase).toBe(`${server.url}/extension/classroom-screens-2.5.0.crx`);
    expect(update.version).toBe('2.5.0');

    const download = await fetch(update.codebase);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/x-chrome-extension');
    const crx = Buffer.from(await download.arrayBuffer());
    const read = readCrx3(crx);
    expect(read.magic).toBe('Cr24');
    const [proof] = read.rsaProofs;
    const publicKey = createPublicKey({ key: proof!.publicKey, format: 'der', type: 'spki' });
    expect(verify('sha256', read.signedBytes, publicKey, proof!.signature)).toBe(true);
    expect(read.crxId.toString('hex').replace(/[0-9a-f]/g, (d) => 'abcdefghijklmnop'[parseInt(d, 16)]!)).toBe(
      update.appid,
    );
    expect(Object.keys(crxFiles(crx)).sort()).toEqual(['background.js', 'chunks/a.js', 'manifest.json']);
    expect(crxManifest(crx)).toMatchObject({
      version: '2.5.0',
      update_url: `${server.url}/extension/update.xml`,
      externally_connectable: { matches: [`${server.url}/*`] },
    });
  });

  it('tells an admin the id, the forcelist line and the policy, and logs the id at start', async () => {
    const server = await serve(join(root, 'data-b'));
    const info = (await (await fetch(`${server.url}/extension/`)).json()) as ExtensionInfo;
    const { appid } = readUpdateXml(await (await fetch(`${server.url}/extension/update.xml`)).text());
    expect(info).toEqual({
      id: appid,
      version: '2.5.0',
      updateUrl: `${server.url}/extension/update.xml`,
      forcelistEntry: `${appid};${server.url}/extension/update.xml`,
      policy: { serverUrl: { Value: server.url } },
    });
    expect(server.logs.some((line) => line.includes(`"extensionId":"${appid}"`))).toBe(true);
  });

  it('keeps its id across restarts, from the key kept in DATA_DIR', async () => {
    const dataDir = join(root, 'data-c');
    const first = await serve(dataDir);
    const { id } = (await (await fetch(`${first.url}/extension/`)).json()) as ExtensionInfo;
    await first.close();
    servers.splice(servers.indexOf(first), 1);
    const second = await serve(dataDir);
    expect(((await (await fetch(`${second.url}/extension/`)).json()) as ExtensionInfo).id).toBe(id);
    const other = await serve(join(root, 'data-d'));
    expect(((await (await fetch(`${other.url}/extension/`)).json()) as ExtensionInfo).id).not.toBe(id);
  });

  it('names the address the proxy was asked at only with TRUST_PROXY', async () => {
    const proxied = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'screens.school.example' };
    const trusting = await serve(join(root, 'data-e'), { TRUST_PROXY: 'true' });
    const viaProxy = await fetch(`${trusting.url}/extension/update.xml`, { headers: proxied });
    const { codebase } = readUpdateXml(await viaProxy.text());
    expect(codebase).toBe('https://screens.school.example/extension/classroom-screens-2.5.0.crx');
    const crx = Buffer.from(
      await (await fetch(`${trusting.url}/extension/classroom-screens-2.5.0.crx`, { headers: proxied })).arrayBuffer(),
    );
    expect(crxManifest(crx).update_url).toBe('https://screens.school.example/extension/update.xml');

    const direct = await serve(join(root, 'data-f'));
    const notTrusted = readUpdateXml(
      await (await fetch(`${direct.url}/extension/update.xml`, { headers: proxied })).text(),
    );
    expect(notTrusted.codebase).toBe(`${direct.url}/extension/classroom-screens-2.5.0.crx`);
  });

  it('answers other files, and a server without the build, with a 404 that says where to look', async () => {
    const server = await serve(join(root, 'data-g'));
    const old = await fetch(`${server.url}/extension/classroom-screens-2.4.0.crx`);
    expect(old.status).toBe(404);
    expect(((await old.json()) as { message: string }).message).toMatch(
      /Chrome finds the extension through \/extension\/update\.xml/,
    );
    const unbuilt = await startTestServer({ DATA_DIR: join(root, 'data-h') }, { extensionDir: join(root, 'no-build') });
    servers.push(unbuilt);
    const missing = await fetch(`${unbuilt.url}/extension/update.xml`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { message: string }).message).toMatch(
      /not built on this server: run `npm run build`/,
    );
  });
});
