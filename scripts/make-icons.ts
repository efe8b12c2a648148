/**
 * Renders the app icons (public/*.png) from the SVG sources with headless Chromium. Run after
 * changing an icon: `npx tsx scripts/make-icons.ts`; the PNGs are committed.
 */
import { readFileSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { chromiumExecutable } from '../tests/e2e/browser.ts';

const jobs = [
  { svg: 'public/icon.svg', png: 'public/icon-192.png', size: 192 },
  { svg: 'public/icon.svg', png: 'public/icon-512.png', size: 512 },
  { svg: 'public/icon.svg', png: 'public/apple-touch-icon.png', size: 180 },
  { svg: 'public/icon-maskable.svg', png: 'public/icon-maskable-512.png', size: 512 },
];

const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: ['--no-sandbox'] });
const page = await browser.newPage();
for (const { svg, png, size } of jobs) {
  await page.setViewportSize({ width: size, height: size });
  const data = Buffer.from(readFileSync(svg)).toString('base64');
  await page.setContent(
    `<style>html,body{margin:0;background:transparent}</style><img src="data:image/svg+xml;base64,${data}" width="${size}" height="${size}">`,
  );
  await page.screenshot({ path: png, omitBackground: true });
  console.log(`${png} (${size}×${size})`);
}
await browser.close();
