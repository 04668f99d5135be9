// The fixed call sequence of AllTransportsIT (initialize, tools/list, slow_count with a progress token,
// resources/read demo://readme, prompts/get greet) as raw JSON-RPC messages over the official SDK's
// client transports: Streamable HTTP, legacy HTTP+SSE and WebSocket. Raw messages, not the SDK Client's
// parsed results, so that the Java test can compare them byte for byte with stdio and TCP.
// Usage: E2E_SEQUENCE='[["initialize",{…}],…]' node all-transports.mjs http://127.0.0.1:PORT
// Then, on each transport, a tagged sleep is cancelled with notifications/cancelled and the server's own record of
// it is read back (demo://calls/{tag}): `cancelled` in each step.
// Prints {steps: {streamable: {...}, sse: …, websocket: …}}.
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import { Summary, within } from './lib/summary.mjs';

const base = process.argv[2];
if (!base) {
  process.stderr.write('usage: node all-transports.mjs http://127.0.0.1:PORT\n');
  process.exit(2);
}
// [[method, params], …] from the Java test, so that every transport gets exactly the same requests
const SEQUENCE = JSON.parse(process.env.E2E_SEQUENCE ?? 'null');
if (!Array.isArray(SEQUENCE)) {
  process.stderr.write('E2E_SEQUENCE must be a JSON array of [method, params]\n');
  process.exit(2);
}

/** Sends each request in turn; records its response and the notifications that came while it ran. */
async function run(transport, name) {
  const inbox = [];
  let wake = () => {};
  transport.onmessage = (message) => { inbox.push(message); wake(); };
  transport.onerror = (error) => process.stderr.write(`transport error: ${error?.stack ?? error}\n`);
  await within(30_000, transport.start(), 'start');
  const exchanges = [];
  for (let i = 0; i < SEQUENCE.length; i++) {
    const [method, params] = SEQUENCE[i];
    const id = i + 1;
    await transport.send({ jsonrpc: '2.0', id, method, params });
    const deadline = Date.now() + 30_000;
    let response;
    while (!(response = inbox.find((m) => m.id === id && ('result' in m || 'error' in m)))) {
      if (Date.now() > deadline) throw new Error(`no response to ${method} (id ${id}); got ${JSON.stringify(inbox)}`);
      await new Promise((resolve) => { wake = resolve; setTimeout(resolve, 100); });
    }
    const notifications = inbox.filter((m) => m.method !== undefined && m.id === undefined);
    inbox.length = 0;
    exchanges.push({ method, response, notifications });
    if (method === 'initialize') {
      transport.setProtocolVersion?.(response.result.protocolVersion);
      await transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    }
  }
  const cancelled = await cancelOnTheServer(transport, inbox, () => new Promise((resolve) => {
    wake = resolve; setTimeout(resolve, 100);
  }), `${name}-cancel`);
  return { exchanges, cancelled };
}

/**
 * Starts a sleep tagged `tag`, waits until the server reports it running, cancels it with
 * notifications/cancelled, and returns what the server then reports once it no longer runs.
 */
async function cancelOnTheServer(transport, inbox, nextMessage, tag) {
  let nextId = 1000;
  const request = async (method, params) => {
    const id = nextId++;
    await transport.send({ jsonrpc: '2.0', id, method, params });
    const deadline = Date.now() + 30_000;
    let response;
    while (!(response = inbox.find((m) => m.id === id && ('result' in m || 'error' in m)))) {
      if (Date.now() > deadline) throw new Error(`no response to ${method} (id ${id})`);
      await nextMessage();
    }
    inbox.splice(inbox.indexOf(response), 1);
    return response;
  };
  const outcome = async (done) => {
    const deadline = Date.now() + 30_000;
    let text = '';
    while (Date.now() < deadline) {
      const read = await request('resources/read', { uri: `demo://calls/${tag}` });
      text = read.result?.contents?.[0]?.text ?? '';
      if (done(text)) return text;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return text;
  };
  const callId = nextId++;
  await transport.send({ jsonrpc: '2.0', id: callId, method: 'tools/call',
    params: { name: 'sleep', arguments: { ms: 60_000, tag } } });
  const running = await outcome((text) => text !== '');
  if (running !== 'running') throw new Error(`${tag} never ran: '${running}'`);
  await transport.send({ jsonrpc: '2.0', method: 'notifications/cancelled',
    params: { requestId: callId, reason: 'cancelled by all-transports.mjs' } });
  return outcome((text) => text !== 'running');
}

const summary = new Summary();
const transports = {
  streamable: () => new StreamableHTTPClientTransport(new URL(`${base}/mcp`)),
  sse: () => new SSEClientTransport(new URL(`${base}/sse`)),
  websocket: () => new WebSocketClientTransport(new URL(`${base.replace(/^http/, 'ws')}/ws`)),
};
for (const [name, create] of Object.entries(transports)) {
  const transport = create();
  await summary.step(name, () => run(transport, name));
  if (transport instanceof StreamableHTTPClientTransport) {
    await transport.terminateSession().catch(() => {});
  }
  await transport.close().catch(() => {});
}
summary.print();
process.exit(0);
