// The built app uses no syntax beyond the oldest browser we support (package.json "browserslist",
// docs/browsers.md): a newer construct would be a script error there, not a missing feature.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';

const run = promisify(execFile);

/**
 * Safari/iPadOS 15.4 is the oldest engine on the list: it has all of ES2021 and these later
 * features (es-check's names), but not, for example, class static blocks (16.4) or
 * `Array.prototype.toSorted` (16).
 */
const SAFARI_15_4_EXTRAS = [
  'TopLevelAwait',
  'PrivateClassFields',
  'ErgonomicBrandChecks',
  'ErrorCause',
  'ArrayPrototypeAt',
  'ObjectHasOwn',
  'ArrayFindLast',
  'ArrayFindLastIndex',
];

/** Runs es-check over `files` at the supported level; resolves to its output, rejects if it refuses. */
async function checkSyntax(files: string): Promise<string> {
  const args = ['es2021', files, '--module', '--checkFeatures', `--allowList=${SAFARI_15_4_EXTRAS.join(',')}`];
  const { stdout, stderr } = await run('node_modules/.bin/es-check', args);
  return stdout + stderr;
}

test('the built app and service worker parse in every supported browser', async () => {
  const scripts = readdirSync('dist/app/assets').filter((f) => f.endsWith('.js'));
  expect(scripts.length).toBeGreaterThan(0);
  const output = await checkSyntax('dist/app/**/*.js');
  expect(output).toContain('ES-Check passed');
});

test('the check refuses syntax the oldest supported browser lacks', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'syntax-'));
  writeFileSync(join(dir, 'static-block.js'), 'export class A { static { this.x = 1; } }\n');
  writeFileSync(join(dir, 'to-sorted.js'), 'export const s = [3, 1, 2].toSorted();\n');
  for (const file of ['static-block.js', 'to-sorted.js']) {
    await expect(checkSyntax(join(dir, file))).rejects.toThrow();
  }
});
