// The console in a real browser: three official-SDK clients stay connected (Streamable HTTP, WebSocket) plus a
// raw NDJSON client on TCP, one call fails on purpose; headless Debian chromium (playwright-core, never a
// downloaded browser) opens /console, waits until the page shows every client, its charts and the error, and
// saves a screenshot. Usage: node console-browser.mjs http://127.0.0.1:PORT TCP_PORT SCREENSHOT.png [TOKEN]
// (E2E_CHROMIUM: the browser binary)
import { connect as tcpConnect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import { Summary, within } from './lib/summary.mjs';

const [base, tcpPort, screenshot, token] = process.argv.slice(2);
if (!base || !tcpPort || !screenshot) {
  process.stderr.write('usage: node console-browser.mjs http://127.0.0.1:PORT TCP_PORT SCREENSHOT.png [TOKEN]\n');
  process.exit(2);
}
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const summary = new Summary();
const clients = [];
let tcp;
let context;
const userDataDir = await mkdtemp(join(tmpdir(), 'mcp-e2e-console-'));

try {
  await summary.step('clients', async () => {
    // with security on, every client presents the token: a header over HTTP, access_token on the WebSocket
    // upgrade (the SDK's WebSocket transport sets no headers), the first message's _meta over TCP
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    const http = new Client({ name: 'console-http-client', version: '1.0.0' }, { capabilities: {} });
    await within(30_000, http.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`),
      { requestInit: { headers } })), 'connect over HTTP');
    clients.push(http);
    const ws = new Client({ name: 'console-ws-client', version: '2.0.0' }, { capabilities: {} });
    const wsUrl = `${base.replace(/^http/, 'ws')}/ws` + (token ? `?access_token=${encodeURIComponent(token)}` : '');
    await within(30_000, ws.connect(new WebSocketClientTransport(new URL(wsUrl))), 'connect over WebSocket');
    clients.push(ws);
    // a few calls for the charts, and one that fails for the recent errors
    for (let i = 0; i < 5; i++) {
      await http.callTool({ name: 'echo', arguments: { text: `call ${i}` } });
    }
    let failed = null;
    try {
      await ws.callTool({ name: 'no_such_tool', arguments: {} });
    } catch (e) {
      failed = String(e.message);
    }
    tcp = await new Promise((resolve, reject) => {
      const socket = tcpConnect(Number(tcpPort), '127.0.0.1', () => resolve(socket));
      socket.on('error', reject);
    });
    const answered = new Promise((resolve) => tcp.once('data', (d) => resolve(String(d))));
    tcp.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25',
      capabilities: {}, clientInfo: { name: 'console-tcp-client', version: '3.0.0' },
      ...(token ? { _meta: { 'io.mcpserver/authorization': `Bearer ${token}` } } : {}) } }) + '\n');
    const init = await within(30_000, answered, 'initialize over TCP');
    return { failed, tcpInit: init.slice(0, 200) };
  });

  await summary.step('console', async () => {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: process.env.E2E_CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: FLAGS,
      timeout: 60_000,
      viewport: { width: 1400, height: 1300 },
    });
    const tab = await context.newPage();
    const messages = [];
    const requests = [];
    tab.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
    tab.on('pageerror', (e) => messages.push(`pageerror: ${e.message}`));
    tab.on('request', (r) => requests.push(r.url()));
    const url = `${base}/console` + (token ? `?access_token=${encodeURIComponent(token)}` : '');
    const response = await tab.goto(url);
    try {
      // the page refreshes itself: wait until a refresh shows all three clients and the failed call
      await tab.waitForFunction(() => {
        const text = document.querySelector('#connections')?.textContent ?? '';
        return document.body.dataset.loaded === 'true' && text.includes('console-http-client')
          && text.includes('console-ws-client') && text.includes('console-tcp-client')
          && (document.querySelector('#errors')?.textContent ?? '').includes('no_such_tool')
          && document.querySelectorAll('canvas').length >= 2;
      }, null, { timeout: 60_000, polling: 250 });
    } finally {
      summary.set('console', messages);
    }
    await tab.screenshot({ path: screenshot, fullPage: true });
    const rows = await tab.$$eval('#connections tbody tr', (trs) => trs.map((tr) =>
      Array.from(tr.cells).map((td) => td.textContent)));
    const tiles = await tab.$$eval('.tile', (divs) => divs.map((d) => d.textContent));
    const plugins = await tab.$$eval('#plugins tbody tr', (trs) => trs.map((tr) => tr.cells[0].textContent + ': ' + tr.cells[3].textContent));
    const foreign = requests.filter((r) => !r.startsWith(base));
    return {
      status: response.status(),
      address: tab.url(),
      rows,
      tiles,
      plugins,
      errors: await tab.$$eval('#errors tbody tr', (trs) => trs.map((tr) => tr.textContent)),
      foreignRequests: foreign,
      statusLine: await tab.textContent('#status'),
    };
  });
} finally {
  await context?.close().catch(() => {});
  for (const c of clients) {
    await c.close().catch(() => {});
  }
  tcp?.destroy();
  await rm(userDataDir, { recursive: true, force: true }).catch(() => {});
  summary.print();
}
process.exit(0);
