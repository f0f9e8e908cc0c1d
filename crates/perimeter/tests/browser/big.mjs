// A report with thousands of findings stays usable: it loads, the data map answers a
// click and the filters answer a change within a few seconds each.
// Usage: node big.mjs REPORT.html MIN_FINDINGS
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const [report, min] = process.argv.slice(2);
const fail = (msg) => { console.error('FAIL: ' + msg); process.exitCode = 1; };
const LIMIT_MS = 8000;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  let t = Date.now();
  await page.goto(pathToFileURL(report).href);
  await page.waitForSelector('.finding', { state: 'attached' });
  const load = Date.now() - t;
  const cards = await page.locator('.finding').count();
  if (cards < Number(min)) fail(`${cards} findings rendered, expected at least ${min}`);
  if (load > LIMIT_MS) fail(`loading took ${load} ms`);
  t = Date.now();
  await page.locator('#map g.node.function').first().click();
  await page.locator('#details h3').waitFor();
  const click = Date.now() - t;
  if (click > LIMIT_MS) fail(`a click on the map took ${click} ms`);
  t = Date.now();
  await page.locator('#filters input[type=checkbox][data-group="sev"]').first().uncheck();
  const filter = Date.now() - t;
  if (filter > LIMIT_MS) fail(`a filter took ${filter} ms`);
  console.log(`ok: ${cards} findings; load ${load} ms, map click ${click} ms, filter ${filter} ms`);
} finally {
  await browser.close();
}
