// MCP clients through nginx (the recipe in docs/examples/nginx/mcp-server.conf) in front of the server:
// the official TypeScript SDK over Streamable HTTP (progress during a call, a notification on the GET
// stream), SSE resumption with Last-Event-ID (raw fetch: a dropped GET stream resumed through the proxy),
// the SDK's legacy HTTP+SSE client, and the SDK's WebSocket client.
// Usage: node nginx-client.mjs https://localhost:PORT   (trust nginx's certificate with NODE_EXTRA_CA_CERTS)
// Prints a JSON summary (see lib/summary.mjs).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { Summary, within } from './lib/summary.mjs';

const base = process.argv[2];
if (!base) {
  process.stderr.write('usage: node nginx-client.mjs https://localhost:PORT\n');
  process.exit(2);
}
const summary = new Summary();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(predicate, ms, what) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(20);
  }
}

/** Calls slow_count with progress and subscribes to demo://counter, whose update comes on the GET stream. */
async function exercise(client) {
  const updates = [];
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => { updates.push(n.params); });
  const tools = await client.listTools();
  const progress = [];
  const counted = await within(30_000, client.callTool({ name: 'slow_count', arguments: { count: 3, delay_ms: 200 } },
    undefined, { onprogress: (p) => progress.push({ ...p, at: Date.now() }) }), 'slow_count');
  const answeredAt = Date.now();
  await client.subscribeResource({ uri: 'demo://counter' });
  await client.callTool({ name: 'bump_counter', arguments: { by: 1 } });
  await waitFor(() => updates.length > 0, 10_000, 'notifications/resources/updated');
  return {
    tools: tools.tools.length,
    text: counted.content?.[0]?.text,
    progress: progress.length,
    // unbuffered: the first progress arrived well before the response (3 steps of 200 ms)
    firstProgressBeforeAnswerMs: progress.length ? answeredAt - progress[0].at : null,
    updates: updates.length,
  };
}

/** The events of an SSE response body, one at a time: {id, data}. */
async function* sseEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  while (true) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = { id: null, data: '' };
      for (const line of block.split('\n')) {
        if (line.startsWith('id: ')) event.id = line.slice(4);
        if (line.startsWith('data: ')) event.data += line.slice(6);
      }
      if (event.id !== null || event.data) yield event;
    }
  }
}

async function resumption() {
  const url = `${base}/mcp`;
  const json = { 'Content-Type': 'application/json', Accept: 'application/json' };
  const init = await fetch(url, {
    method: 'POST', headers: json,
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {
      protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'nginx-resume', version: '1' } } }),
  });
  const session = init.headers.get('mcp-session-id');
  await init.text();
  if (!session) throw new Error(`initialize through nginx: ${init.status}`);
  const headers = { ...json, 'Mcp-Session-Id': session, 'MCP-Protocol-Version': '2025-11-25' };
  let id = 2;
  const post = async (body) => {
    const r = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
    await r.text();
    return r.status;
  };
  await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
  await post({ jsonrpc: '2.0', id: id++, method: 'resources/subscribe', params: { uri: 'demo://counter' } });
  const bump = () => post({ jsonrpc: '2.0', id: id++, method: 'tools/call', params: { name: 'bump_counter', arguments: { by: 1 } } });

  const sse = { ...headers, Accept: 'text/event-stream' };
  const first = new AbortController();
  const stream = await fetch(url, { headers: sse, signal: first.signal });
  const events = sseEvents(stream.body);
  const priming = (await events.next()).value;
  await bump();
  const seen = (await events.next()).value;
  first.abort(); // the client loses the stream
  await events.return?.().catch(() => {});
  await bump();
  await bump();
  await sleep(300);

  const second = new AbortController();
  const resumed = await fetch(url, { headers: { ...sse, 'Last-Event-ID': seen.id }, signal: second.signal });
  const replay = sseEvents(resumed.body);
  const again = (await replay.next()).value;
  const a = (await replay.next()).value;
  const b = (await replay.next()).value;
  second.abort();
  await fetch(url, { method: 'DELETE', headers: { 'Mcp-Session-Id': session } });
  return {
    status: stream.status,
    primingId: priming.id,
    seenId: seen.id,
    seenMethod: JSON.parse(seen.data).method,
    resumedStatus: resumed.status,
    resumedPrimingId: again.id,
    replayed: [a, b].map((e) => ({ id: e.id, method: JSON.parse(e.data).method })),
  };
}

try {
  await summary.step('streamable', async () => {
    const client = new Client({ name: 'nginx-streamable', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`));
    try {
      await within(30_000, client.connect(transport), 'initialize');
      return await exercise(client);
    } finally {
      await client.close().catch(() => {});
    }
  });
  await summary.step('resumption', resumption);
  await summary.step('legacySse', async () => {
    const client = new Client({ name: 'nginx-sse', version: '1.0.0' });
    try {
      await within(30_000, client.connect(new SSEClientTransport(new URL(`${base}/sse`))), 'initialize');
      return await exercise(client);
    } finally {
      await client.close().catch(() => {});
    }
  });
  await summary.step('websocket', async () => {
    const client = new Client({ name: 'nginx-websocket', version: '1.0.0' });
    try {
      await within(30_000, client.connect(new WebSocketClientTransport(new URL(`${base.replace(/^http/, 'ws')}/ws`))),
        'initialize');
      return await exercise(client);
    } finally {
      await client.close().catch(() => {});
    }
  });
} finally {
  summary.print();
}
