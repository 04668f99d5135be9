// A real browser on MCP over WebSocket: headless Debian chromium (driven by playwright-core, never a
// downloaded browser) opens docs/examples/websocket.html, served from 127.0.0.1 by this script, with
// ?url=<server>&autorun=1. The page connects with `new WebSocket(url)` (no subprotocol, as browsers and
// seed clients do), initializes, lists tools, calls echo and slow_count; this script reads window.mcpResult.
// Usage: node browser-websocket.mjs PAGE.html ws://127.0.0.1:PORT/ws   (E2E_CHROMIUM: the browser binary)
import { createServer } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { chromium } from 'playwright-core';
import { Summary } from './lib/summary.mjs';

const [pagePath, serverUrl] = process.argv.slice(2);
if (!pagePath || !serverUrl) {
  process.stderr.write('usage: node browser-websocket.mjs PAGE.html ws://127.0.0.1:PORT/ws\n');
  process.exit(2);
}
// the flags for a quiet, self-contained headless chromium (see the project's toolchain notes);
// playwright adds --headless itself (headless: true) and the fresh --user-data-dir
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const summary = new Summary();
const page = await readFile(pagePath);
const http = createServer((request, response) => {
  if (new URL(request.url, 'http://x').pathname === `/${basename(pagePath)}`) {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(page);
  } else {
    response.writeHead(404).end();
  }
});
await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
const pageUrl = `http://127.0.0.1:${http.address().port}/${basename(pagePath)}`
  + `?url=${encodeURIComponent(serverUrl)}&autorun=1`;
summary.set('pageUrl', pageUrl);

const userDataDir = await mkdtemp(join(tmpdir(), 'mcp-e2e-chromium-'));
let context;
try {
  await summary.step('browser', async () => {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: process.env.E2E_CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: FLAGS,
      timeout: 60_000,
    });
    return { version: context.browser()?.version() ?? null };
  });
  await summary.step('page', async () => {
    const tab = await context.newPage();
    const messages = [];
    tab.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
    tab.on('pageerror', (e) => messages.push(`pageerror: ${e.message}`));
    await tab.goto(pageUrl);
    try {
      await tab.waitForFunction(() => document.body.dataset.state === 'done' || document.body.dataset.state === 'failed',
        null, { timeout: 60_000 });
    } finally {
      summary.set('console', messages);
    }
    return {
      state: await tab.evaluate(() => document.body.dataset.state),
      result: await tab.evaluate(() => window.mcpResult),
      status: await tab.textContent('#status'),
      log: (await tab.textContent('#log')).slice(0, 4000),
      userAgent: await tab.evaluate(() => navigator.userAgent),
    };
  });
} finally {
  await context?.close().catch(() => {});
  http.close();
  await rm(userDataDir, { recursive: true, force: true }).catch(() => {});
  summary.print();
}
process.exit(0);
