// The official TypeScript SDK client over WebSocket (WebSocketClientTransport, which offers the subprotocol
// `mcp` and fails unless the server echoes it): initialize, tools/list, echo, slow_count with progress,
// resources/read, prompts/get, a cancelled sleep and a call after it; then a second client at the root
// path (ws://host:port, as seed clients connect) and a refused binary frame, with Node's own WebSocket.
// Usage: node websocket-client.mjs ws://127.0.0.1:PORT   Prints a JSON summary (see lib/summary.mjs).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { Summary, describe, within } from './lib/summary.mjs';
import { cancelOnTheServer } from './lib/cancel.mjs';

const base = process.argv[2];
if (!base) {
  process.stderr.write('usage: node websocket-client.mjs ws://127.0.0.1:PORT\n');
  process.exit(2);
}
const summary = new Summary();
summary.set('node', process.version);

function texts(content) {
  return (content ?? []).filter((c) => c.type === 'text').map((c) => c.text);
}

async function withClient(url, name, body) {
  const client = new Client({ name, version: '1.0.0' }, { capabilities: {} });
  const logs = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => { logs.push(n.params); });
  const transport = new WebSocketClientTransport(new URL(url));
  await within(30_000, client.connect(transport), `connect to ${url}`);
  try {
    return await body(client, logs, transport);
  } finally {
    await client.close().catch(() => {});
  }
}

await summary.step('sdk', () => withClient(`${base}/ws`, 'mcp-server-e2e-websocket', async (client, logs, transport) => {
  const result = {
    subprotocol: transport._socket?.protocol,
    serverInfo: client.getServerVersion(),
    capabilities: client.getServerCapabilities(),
  };
  result.tools = (await client.listTools()).tools.map((t) => t.name);
  result.echo = texts((await client.callTool({ name: 'echo', arguments: { text: 'hello over WebSocket ✓' } })).content);
  const progress = [];
  const counted = await client.callTool({ name: 'slow_count', arguments: { count: 3, delay_ms: 250 } }, undefined,
    { onprogress: (p) => progress.push(p) });
  result.slowCount = { texts: texts(counted.content), progress, logs: logs.length };
  result.readme = (await client.readResource({ uri: 'demo://readme' })).contents[0]?.text?.slice(0, 40);
  result.greet = (await client.getPrompt({ name: 'greet', arguments: { name: 'Ada' } })).messages[0]?.content?.text;

  result.cancel = await cancelOnTheServer(client, 'websocket-sdk', 'cancelled by the e2e test');
  result.afterCancel = texts((await within(10_000, client.callTool({ name: 'echo', arguments: { text: 'still here' } }),
    'echo after cancel')).content);
  return result;
}));

await summary.step('root', () => withClient(base, 'mcp-server-e2e-websocket-root', async (client) => ({
  echo: texts((await client.callTool({ name: 'echo', arguments: { text: 'at the root' } })).content),
})));

await summary.step('binary', () => new Promise((resolve, reject) => {
  const socket = new WebSocket(`${base}/ws`, 'mcp');
  const timer = setTimeout(() => reject(new Error('no close within 10 s')), 10_000);
  socket.onopen = () => socket.send(new Uint8Array([123, 125]));
  socket.onclose = (event) => {
    clearTimeout(timer);
    resolve({ code: event.code, reason: event.reason });
  };
}));

summary.print();
process.exit(0);
