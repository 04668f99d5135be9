// The official TypeScript SDK client against a server that takes API keys, over Streamable HTTP and legacy
// HTTP+SSE, with the key in `X-API-Key` or `Authorization: ApiKey <key>` (the SDK's WebSocket transport, like a
// browser, cannot set headers: ApiKeyIT covers the upgrade with the JDK's client). For each transport: a key with
// the scope lists and calls `echo`; a key without it neither sees nor calls it; an expired key, an unknown key and
// none are refused at connect. Keys come in E2E_KEYS (JSON: name -> key), never on the command line.
// Usage: node apikey-client.mjs http://127.0.0.1:PORT   Prints a JSON summary (see lib/summary.mjs).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { Summary, within } from './lib/summary.mjs';

const base = process.argv[2];
const keys = JSON.parse(process.env.E2E_KEYS ?? '{}');
if (!base || !keys.full) {
  process.stderr.write('usage: E2E_KEYS=\'{"full":"…",…}\' node apikey-client.mjs http://127.0.0.1:PORT\n');
  process.exit(2);
}
const summary = new Summary();

function transport(kind, header, key) {
  let headers;
  if (key) {
    headers = header === 'x-api-key' ? { 'X-API-Key': key } : { Authorization: `ApiKey ${key}` };
  }
  const requestInit = headers ? { headers } : undefined; // the SSE transport sends them on its GET too
  return kind === 'streamable'
    ? new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit })
    : new SSEClientTransport(new URL(`${base}/sse`), { requestInit });
}

async function session(kind, header, key, body) {
  const client = new Client({ name: `apikey-${kind}`, version: '1.0.0' }, { capabilities: {} });
  await within(30_000, client.connect(transport(kind, header, key)), `connect over ${kind}`);
  try {
    return await body(client);
  } finally {
    await client.close().catch(() => {});
  }
}

async function echoOutcome(client) {
  try {
    const r = await within(30_000, client.callTool({ name: 'echo', arguments: { text: 'keyed' } }), 'echo');
    return { text: (r.content ?? []).map((c) => c.text).join(''), isError: !!r.isError };
  } catch (error) {
    return { errorCode: error?.code, errorMessage: String(error?.message ?? error) };
  }
}

for (const kind of ['streamable', 'sse']) {
  for (const header of ['x-api-key', 'authorization']) {
    for (const who of ['full', 'scopeless']) {
      await summary.step(`${kind}-${header}-${who}`, () => session(kind, header, keys[who], async (client) => {
        const { tools } = await within(30_000, client.listTools(), 'tools/list');
        return { names: tools.map((t) => t.name), echo: await echoOutcome(client) };
      }));
    }
    for (const bad of ['expired', 'unknown', 'missing']) {
      await summary.step(`${kind}-${header}-${bad}`, async () => {
        try {
          await session(kind, header, keys[bad] ?? null, async () => undefined);
          return { connected: true };
        } catch (error) {
          return { connected: false, code: error?.code, message: String(error?.message ?? error) };
        }
      });
    }
  }
}
summary.print();
