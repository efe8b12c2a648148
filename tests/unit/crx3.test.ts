/**
 * The CRX3 writer, the signing key and the packed extension, read back by an independent reader
 * (tests/helpers/crx3-reader.ts): the frame, the header, the id, and the signature checked over
 * exactly the bytes Chrome checks it over.
 */
import { createHash, createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { extensionIdOf, packCrx3, publicKeyDer } from '../../server/extension/crx3.ts';
import {
  ExtensionBuildError,
  isChromeVersion,
  readExtensionPackage,
} from '../../server/extension/extension-package.ts';
import { GENERATED_KEY_FILE, loadSigningKey, SigningKeyError } from '../../server/extension/signing-key.ts';
import { crxFiles, crxManifest, readCrx3 } from '../helpers/crx3-reader.ts';

let key: KeyObject;
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'classroom-crx-'));
  dirs.push(dir);
  return dir;
};

beforeAll(() => {
  key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
});
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The id as Chrome spells it, computed here without the writer: SHA-256, 32 hex digits, 0–f as a–p. */
function chromeId(spki: Buffer): string {
  const hex = createHash('sha256').update(spki).digest('hex').slice(0, 32);
  return hex.replace(/[0-9a-f]/g, (d) => 'abcdefghijklmnop'[parseInt(d, 16)]!);
}

describe('a CRX3', () => {
  const zip = zipSync({ 'manifest.json': Buffer.from('{"manifest_version":3}'), 'a/b.js': Buffer.from('1') });

  it('is Cr24, version 3, the header length, the header, then the zip unchanged', () => {
    const crx = packCrx3(zip, key);
    const read = readCrx3(crx);
    expect(read.magic).toBe('Cr24');
    expect(read.formatVersion).toBe(3);
    expect(12 + read.headerLength + zip.length).toBe(crx.length);
    expect(read.zip.equals(Buffer.from(zip))).toBe(true);
  });

  it('carries the public key, a signature Chrome accepts, and the id of that key', () => {
    const read = readCrx3(packCrx3(zip, key));
    const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
    expect(read.rsaProofs).toHaveLength(1);
    const [proof] = read.rsaProofs;
    expect(proof!.publicKey.equals(spki)).toBe(true);
    expect(
      verify(
        'sha256',
        read.signedBytes,
        createPublicKey({ key: proof!.publicKey, format: 'der', type: 'spki' }),
        proof!.signature,
      ),
    ).toBe(true);
    expect(read.crxId.equals(createHash('sha256').update(spki).digest().subarray(0, 16))).toBe(true);
    expect(extensionIdOf(publicKeyDer(key))).toBe(chromeId(spki));
    expect(extensionIdOf(publicKeyDer(key))).toMatch(/^[a-p]{32}$/);
  });

  it('has a signature that fails for any other zip', () => {
    const read = readCrx3(packCrx3(zip, key));
    const other = Buffer.from(read.signedBytes);
    other[other.length - 1] = other.at(-1)! ^ 1;
    const publicKey = createPublicKey({ key: read.rsaProofs[0]!.publicKey, format: 'der', type: 'spki' });
    expect(verify('sha256', other, publicKey, read.rsaProofs[0]!.signature)).toBe(false);
  });

  it('is signed only with an RSA key', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expect(() => packCrx3(zip, ec)).toThrow(/RSA/);
  });
});

describe('the signing key', () => {
  it('is made once in DATA_DIR, 0600, and read back the same on the next start', async () => {
    const dataDir = join(tempDir(), 'data');
    const first = await loadSigningKey({ kind: 'data-dir', dataDir });
    expect(first.generated).toBe(true);
    expect(first.file).toBe(join(dataDir, GENERATED_KEY_FILE));
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const second = await loadSigningKey({ kind: 'data-dir', dataDir });
    expect(second.generated).toBe(false);
    expect(publicKeyDer(second.key).equals(publicKeyDer(first.key))).toBe(true);
  });

  it('is narrowed back to 0600 in DATA_DIR if it was widened', async () => {
    const dataDir = tempDir();
    const { file } = await loadSigningKey({ kind: 'data-dir', dataDir });
    chmodSync(file, 0o644);
    await loadSigningKey({ kind: 'data-dir', dataDir });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('can be the admin’s own PEM file, with a warning when others can read it', async () => {
    const file = join(tempDir(), 'key.pem');
    writeFileSync(file, key.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o644 });
    const loaded = await loadSigningKey({ kind: 'file', file });
    expect(publicKeyDer(loaded.key).equals(publicKeyDer(key))).toBe(true);
    expect(loaded.warning).toMatch(/can be read by other users.*chmod 600/);
    chmodSync(file, 0o600);
    expect((await loadSigningKey({ kind: 'file', file })).warning).toBeNull();
  });

  it('refuses a missing file, a file that is no key, and a key that is not RSA, saying what to do', async () => {
    const dir = tempDir();
    await expect(loadSigningKey({ kind: 'file', file: join(dir, 'none.pem') })).rejects.toThrow(
      /Cannot read the extension's signing key .*none\.pem \(ENOENT\)\. Check EXTENSION_KEY_FILE/,
    );
    writeFileSync(join(dir, 'junk.pem'), 'not a key');
    await expect(loadSigningKey({ kind: 'file', file: join(dir, 'junk.pem') })).rejects.toThrow(SigningKeyError);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    writeFileSync(join(dir, 'ec.pem'), ec.export({ type: 'pkcs8', format: 'pem' }));
    await expect(loadSigningKey({ kind: 'file', file: join(dir, 'ec.pem') })).rejects.toThrow(/holds a ec key/);
  });
});

describe('the packed extension', () => {
  /** A small build: a manifest and a file in a folder. */
  function build(manifest: Record<string, unknown>): string {
    const dir = tempDir();
    mkdirSync(join(dir, 'chunks'));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    writeFileSync(join(dir, 'background.js'), 'console.log(1)');
    writeFileSync(join(dir, 'chunks', 'x.js'), 'export {}');
    return dir;
  }
  const manifest = { manifest_version: 3, name: 'Test', version: '1.2.3', externally_connectable: { matches: [] } };

  it('holds every built file, and a manifest naming the origin’s update.xml and pages', async () => {
    const extension = (await readExtensionPackage(build(manifest), key))!;
    expect(extension.id).toBe(chromeId(publicKeyDer(key)));
    expect(extension.version).toBe('1.2.3');
    expect(extension.crxName).toBe('classroom-screens-1.2.3.crx');
    const crx = extension.crxFor('https://screens.school.example');
    expect(Object.keys(crxFiles(crx)).sort()).toEqual(['background.js', 'chunks/x.js', 'manifest.json']);
    expect(crxManifest(crx)).toEqual({
      ...manifest,
      update_url: 'https://screens.school.example/extension/update.xml',
      externally_connectable: { matches: ['https://screens.school.example/*'] },
    });
    expect(readCrx3(crx).crxId.equals(readCrx3(extension.crxFor('http://10.0.0.5:3000')).crxId)).toBe(true);
  });

  it('is packed once per origin, and the same bytes from the same build and key', async () => {
    const dir = build(manifest);
    const extension = (await readExtensionPackage(dir, key))!;
    const crx = extension.crxFor('https://a.example');
    expect(extension.crxFor('https://a.example')).toBe(crx);
    const again = (await readExtensionPackage(dir, key))!;
    expect(again.crxFor('https://a.example').equals(crx)).toBe(true);
  });

  it('is nothing without a build, and refuses a version Chrome would not take', async () => {
    expect(await readExtensionPackage(join(tempDir(), 'missing'), key)).toBeNull();
    await expect(readExtensionPackage(build({ ...manifest, version: '1.0.0-beta' }), key)).rejects.toThrow(
      ExtensionBuildError,
    );
    for (const good of ['0', '1.2', '1.2.3.4', '65535.0']) expect(isChromeVersion(good), good).toBe(true);
    for (const bad of ['', '1.2.3.4.5', '01.2', '65536', '1..2', 'a', 3])
      expect(isChromeVersion(bad), String(bad)).toBe(false);
  });
});
