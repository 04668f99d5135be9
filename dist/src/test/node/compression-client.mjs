// The official TypeScript SDK client (Node's fetch asks for `Accept-Encoding: gzip, deflate` and decompresses by
// itself) against a server that compresses: over Streamable HTTP and legacy HTTP+SSE it lists tools and calls
// slow_count, recording the Content-Encoding of every response and when each progress notification arrived, so the
// test can tell that compressed streams still deliver each event at once. Then plain fetch sends request bodies in
// gzip: an initialize (accepted) and a "zip bomb" (20 MB of spaces in ~20 KB, refused with 413).
// Usage: node compression-client.mjs http://127.0.0.1:PORT   Prints a JSON summary (see lib/summary.mjs).
import { gzipSync } from 'node:zlib';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { Summary, within } from './lib/summary.mjs';

const base = process.argv[2];
if (!base) {
  process.stderr.write('usage: node compression-client.mjs http://127.0.0.1:PORT\n');
  process.exit(2);
}
const summary = new Summary();

for (const kind of ['streamable', 'sse']) {
  await summary.step(kind, async () => {
    const encodings = [];
    const recording = async (url, init) => {
      const response = await fetch(url, init);
      encodings.push(`${init?.method ?? 'GET'} ${response.headers.get('content-type')?.split(';')[0]} `
        + `${response.headers.get('content-encoding') ?? 'identity'}`);
      return response;
    };
    const transport = kind === 'streamable'
      ? new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { fetch: recording })
      : new SSEClientTransport(new URL(`${base}/sse`), { fetch: recording, eventSourceInit: { fetch: recording } });
    const client = new Client({ name: `compression-${kind}`, version: '1.0.0' }, { capabilities: {} });
    await within(30_000, client.connect(transport), `connect over ${kind}`);
    try {
      const { tools } = await within(30_000, client.listTools(), 'tools/list');
      const started = Date.now();
      const progressAt = [];
      const result = await within(60_000, client.callTool({ name: 'slow_count', arguments: { count: 3, delay_ms: 400 } },
        undefined, { onprogress: () => progressAt.push(Date.now() - started) }), 'slow_count');
      return {
        tools: tools.length,
        text: (result.content ?? []).map((c) => c.text).join(''),
        progressAt,
        resultAt: Date.now() - started,
        encodings,
      };
    } finally {
      await client.close().catch(() => {});
    }
  });
}

const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {
  protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'gzip-body', version: '1' } } });
await summary.step('gzip-body', async () => {
  const r = await fetch(`${base}/mcp`, { method: 'POST', body: gzipSync(init), headers: {
    'content-type': 'application/json', accept: 'application/json, text/event-stream', 'content-encoding': 'gzip' } });
  return { status: r.status, body: await r.text() };
});
await summary.step('zip-bomb', async () => {
  const bomb = gzipSync(Buffer.concat([
    Buffer.from('{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"'),
    Buffer.alloc(20 << 20, 0x20), Buffer.from('"}}}')]));
  const r = await fetch(`${base}/mcp`, { method: 'POST', body: bomb, headers: {
    'content-type': 'application/json', accept: 'application/json, text/event-stream', 'content-encoding': 'gzip' } });
  return { status: r.status, sent: bomb.length, body: await r.text() };
});
summary.print();
