// The official TypeScript SDK client against a server with security on, over Streamable HTTP, legacy
// HTTP+SSE (both with `Authorization: Bearer`) and WebSocket (the `access_token` query parameter: the SDK's
// WebSocket transport, like a browser, cannot set headers). For each transport: a token with every scope
// lists and calls `echo`; a token without the scope neither sees nor calls it; each bad token (and none)
// is refused at connect. Tokens come in E2E_TOKENS (JSON: name -> token), never on the command line.
// Usage: node security-client.mjs http://127.0.0.1:PORT   Prints a JSON summary (see lib/summary.mjs).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import { Summary, within } from './lib/summary.mjs';

const base = process.argv[2];
const tokens = JSON.parse(process.env.E2E_TOKENS ?? '{}');
if (!base || !tokens.full) {
  process.stderr.write('usage: E2E_TOKENS=\'{"full":"…",…}\' node security-client.mjs http://127.0.0.1:PORT\n');
  process.exit(2);
}
const summary = new Summary();
const ws = base.replace(/^http/, 'ws');

function transport(kind, token) {
  const requestInit = token ? { headers: { Authorization: `Bearer ${token}` } } : undefined;
  switch (kind) {
    case 'streamable': return new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit });
    case 'sse': return new SSEClientTransport(new URL(`${base}/sse`), { requestInit });
    default: return new WebSocketClientTransport(new URL(token ? `${ws}/ws?access_token=${token}` : `${ws}/ws`));
  }
}

async function session(kind, token, body) {
  const client = new Client({ name: `security-${kind}`, version: '1.0.0' }, { capabilities: {} });
  await within(30_000, client.connect(transport(kind, token)), `connect over ${kind}`);
  try {
    return await body(client);
  } finally {
    await client.close().catch(() => {});
  }
}

async function echoOutcome(client) {
  try {
    const r = await within(30_000, client.callTool({ name: 'echo', arguments: { text: 'secured' } }), 'echo');
    return { text: (r.content ?? []).map((c) => c.text).join(''), isError: !!r.isError };
  } catch (error) {
    return { errorCode: error?.code, errorMessage: String(error?.message ?? error) };
  }
}

for (const kind of ['streamable', 'sse', 'websocket']) {
  for (const who of ['full', 'scopeless']) {
    await summary.step(`${kind}-${who}`, () => session(kind, tokens[who], async (client) => {
      const { tools } = await within(30_000, client.listTools(), 'tools/list');
      return { names: tools.map((t) => t.name), echo: await echoOutcome(client) };
    }));
  }
  for (const bad of ['expired', 'wrong_audience', 'wrong_issuer', 'bad_signature', 'alg_none', 'missing']) {
    await summary.step(`${kind}-${bad}`, async () => {
      try {
        await session(kind, tokens[bad] ?? null, async () => undefined);
        return { connected: true };
      } catch (error) {
        return { connected: false, code: error?.code, message: String(error?.message ?? error) };
      }
    });
  }
}
summary.print();
