/**
 * The PWA's weight and speed: JavaScript shipped (gzipped), split into what the first screen loads
 * and what loads later, and time to first contentful paint of Home on the built app.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { chromiumExecutable } from '../tests/e2e/browser.ts';
import { percentile, root, saveResult, startBuiltServer } from './lib.ts';

const RUNS = 10;
const kb = (bytes: number) => Math.round(bytes / 102.4) / 10;

/** Runs the measurements and returns the figures it saved. */
export async function benchApp() {
  const dir = join(root, 'dist/app');
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const gz = (file: string) => gzipSync(readFileSync(join(dir, file)), { level: 9 }).length;
  const scripts = readdirSync(join(dir, 'assets')).filter((f) => f.endsWith('.js'));
  const chunks = scripts.map((f) => ({
    file: `assets/${f}`,
    gzipKB: kb(gz(`assets/${f}`)),
    initial: html.includes(`/assets/${f}`),
  }));
  const total = chunks.reduce((sum, c) => sum + c.gzipKB, 0);
  const initial = chunks.filter((c) => c.initial).reduce((sum, c) => sum + c.gzipKB, 0);
  const serviceWorker = readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .reduce((sum, f) => sum + kb(gz(f)), 0);

  const server = await startBuiltServer();
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: ['--disable-gpu'] });
  const paints: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      // A fresh profile each time: a first visit, nothing cached.
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(server.url, { waitUntil: 'load' });
      await page.getByRole('heading', { level: 1 }).waitFor();
      paints.push(
        await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN),
      );
      await context.close();
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  const result = {
    date: new Date().toISOString(),
    javascriptGzipKB: { total: round(total), firstScreen: round(initial), loadedLater: round(total - initial), chunks },
    serviceWorkerGzipKB: round(serviceWorker),
    homeFirstContentfulPaintMs: { p50: round(percentile(paints, 50)), p90: round(percentile(paints, 90)), runs: RUNS },
    targets: { javascriptGzipKB: 70 },
    note: 'Loopback, headless Chromium, no CPU or network throttling; a fresh profile per run.',
  };
  saveResult('app', result);
  return result;
}

const round = (n: number) => Math.round(n * 10) / 10;
