// Opens perimeter's HTML report in headless Chromium, clicks a function node of the data map
// and one of its findings, checks what the page shows, and takes a screenshot.
// Usage: node report.mjs REPORT.html SCREENSHOT.png FUNCTION
// playwright-core is resolved from NODE_PATH (installed by .ci/install-deps under target/).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

const [report, screenshot, fn] = process.argv.slice(2);
const fail = (msg) => { console.error('FAIL: ' + msg); process.exitCode = 1; };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const requests = [];
  page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url()); });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(pathToFileURL(report).href);

  const cards = await page.locator('.finding').count();
  if (cards === 0) fail('no finding card rendered');

  // Click the function's node in the map: the side panel names it and lists its findings
  // and its permissions.
  const node = page.locator(`#map g.node.function[data-id="fn:${fn}"]`).first();
  if (await node.count() === 0) fail(`no map node for ${fn}`);
  await node.click();
  const panel = page.locator('#details');
  const title = await panel.locator('h3').textContent();
  if (title !== fn) fail(`details panel shows ${title}, not ${fn}`);
  const links = panel.locator('a');
  const n = await links.count();
  if (n === 0) fail(`no finding listed for ${fn}`);
  if (await panel.locator('table.perms').count() === 0) fail('no permissions table');

  // Click its first finding: the finding card opens and is highlighted, with its trace.
  const text = await links.first().textContent();
  await links.first().click();
  const card = page.locator('.finding.highlight');
  if (await card.count() !== 1) fail('the clicked finding is not highlighted');
  else {
    if (!(await card.isVisible())) fail('the highlighted finding is not visible');
    const body = await card.textContent();
    const rule = text.match(/\[([A-Z]+[0-9]+)\]/)[1];
    if (!body.includes(rule)) fail(`card does not show rule ${rule}`);
  }

  // Filters: unchecking every severity hides every card.
  const boxes = page.locator('#filters input[type=checkbox][data-group="sev"]');
  const nb = await boxes.count();
  if (nb !== 5) fail(`${nb} severity filters, expected 5`);
  for (let i = 0; i < nb; i++) await boxes.nth(i).uncheck();
  const shown = await page.locator('.finding:visible').count();
  if (nb > 0 && shown !== 0) fail(`${shown} findings still shown with no severity selected`);
  for (let i = 0; i < nb; i++) await boxes.nth(i).check();

  await node.click();
  await page.screenshot({ path: screenshot });
  if (errors.length) fail('script errors: ' + errors.join('; '));
  if (requests.length) fail('the report reached out: ' + requests.join(', '));
  console.log(`ok: ${cards} findings, ${n} for ${fn}; screenshot ${screenshot}`);
} finally {
  await browser.close();
}
