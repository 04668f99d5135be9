// The official TypeScript SDK client against a server running the bundled interceptors plugin (result cache,
// argument log) and a test plugin whose interceptor throws on echo "boom": over Streamable HTTP (<base>/mcp)
// and WebSocket (ws://…/ws) it calls sleep twice (the second answer comes from the cache, marked in _meta),
// echo "boom" (-32603), echo again on the same session, and echo a text the log must redact.
// Usage: node interceptors-client.mjs http://127.0.0.1:PORT   Prints a JSON summary (see lib/summary.mjs).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import { Summary, describe, within } from './lib/summary.mjs';

const base = process.argv[2];
if (!base) {
  process.stderr.write('usage: node interceptors-client.mjs http://127.0.0.1:PORT\n');
  process.exit(2);
}
const summary = new Summary();

function texts(content) {
  return (content ?? []).filter((c) => c.type === 'text').map((c) => c.text);
}

async function exercise(name, transport, sleepMs) {
  const client = new Client({ name: `mcp-server-e2e-interceptors-${name}`, version: '1.0.0' }, { capabilities: {} });
  await within(30_000, client.connect(transport), `connect over ${name}`);
  try {
    const first = await client.callTool({ name: 'sleep', arguments: { ms: sleepMs } });
    const second = await client.callTool({ name: 'sleep', arguments: { ms: sleepMs } });
    let boom;
    try {
      boom = { result: await client.callTool({ name: 'echo', arguments: { text: 'boom' } }) };
    } catch (error) {
      boom = { error: describe(error) };
    }
    const after = texts((await client.callTool({ name: 'echo', arguments: { text: `after boom over ${name}` } })).content);
    const secret = texts((await client.callTool({ name: 'echo', arguments: { text: `hunter2-${name}` } })).content);
    return {
      first: { texts: texts(first.content), meta: first._meta ?? null },
      second: { texts: texts(second.content), meta: second._meta ?? null },
      boom,
      after,
      secret,
    };
  } finally {
    await client.close().catch(() => {});
  }
}

await summary.step('http', () => exercise('http', new StreamableHTTPClientTransport(new URL(`${base}/mcp`)), 202));
await summary.step('websocket', () => exercise('websocket',
  new WebSocketClientTransport(new URL(`${base.replace(/^http/, 'ws')}/ws`)), 203));

summary.print();
process.exit(0);
