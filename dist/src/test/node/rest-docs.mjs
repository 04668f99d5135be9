// A real browser on the REST facade's /docs page: headless Debian chromium (driven by playwright-core, never a
// downloaded browser) opens Swagger UI as served by the server (its files from the server's WebJar), expands the
// echo tool's operation, presses "Try it out", types the arguments, presses "Execute" and reads the response the
// page shows; a screenshot of that is saved.
// Usage: node rest-docs.mjs http://127.0.0.1:PORT/docs SCREENSHOT.png   (E2E_CHROMIUM: the browser binary)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Summary } from './lib/summary.mjs';

const [docsUrl, screenshot] = process.argv.slice(2);
if (!docsUrl || !screenshot) {
  process.stderr.write('usage: node rest-docs.mjs http://127.0.0.1:PORT/docs SCREENSHOT.png\n');
  process.exit(2);
}
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TEXT = 'Hello from Swagger UI';

const summary = new Summary();
const userDataDir = await mkdtemp(join(tmpdir(), 'mcp-e2e-chromium-'));
let context;
try {
  await summary.step('browser', async () => {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: process.env.E2E_CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: FLAGS,
      timeout: 60_000,
      viewport: { width: 1280, height: 1400 },
    });
    return { version: context.browser()?.version() ?? null };
  });
  await summary.step('page', async () => {
    const tab = await context.newPage();
    const messages = [];
    const requests = [];
    tab.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
    tab.on('pageerror', (e) => messages.push(`pageerror: ${e.message}`));
    tab.on('request', (r) => requests.push(r.url()));
    try {
      await tab.goto(docsUrl);
      const op = '#operations-tools-tool_echo';
      await tab.waitForSelector(op, { timeout: 60_000 });
      await tab.click(`${op} .opblock-summary`);
      await tab.click(`${op} .try-out__btn`);
      await tab.fill(`${op} textarea.body-param__text`, JSON.stringify({ text: TEXT }));
      await tab.click(`${op} .execute`);
      const body = `${op} .live-responses-table .response-col_description pre`;
      await tab.waitForFunction((selector) => document.querySelector(selector)?.textContent?.includes('Hello'),
        body, { timeout: 60_000 });
      await tab.screenshot({ path: screenshot, fullPage: true });
      return {
        title: await tab.title(),
        status: (await tab.textContent(`${op} .live-responses-table tbody .response-col_status`)).trim(),
        response: await tab.textContent(body),
        // every file the page loaded came from the server itself (no CDN)
        hosts: [...new Set(requests.map((u) => new URL(u).host))],
      };
    } finally {
      summary.set('console', messages);
    }
  });
} finally {
  await context?.close().catch(() => {});
  await rm(userDataDir, { recursive: true, force: true }).catch(() => {});
  summary.print();
}
process.exit(0);
