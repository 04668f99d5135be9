// The official TypeScript SDK client (StreamableHTTPClientTransport) after requests that end without a
// successful result: JSON-RPC errors and cancelled calls. The SDK resumes such a POST stream with
// GET + Last-Event-ID (it counts only a *successful* result as "the response came"), so the server must
// answer a resume of a finished stream without handing over the session's standalone stream; otherwise
// the two GETs take the stream from each other about once per `retry` forever and every notification
// arrives once per takeover.
// Usage: node http-reconnect.mjs http://127.0.0.1:PORT [errors] [cancels] [idleMs]
// Prints a JSON summary whose step "settle" lists every GET the client sent (its Last-Event-ID, status,
// time) and the resources/updated notifications received after one bump_counter.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { Summary, within } from './lib/summary.mjs';

const base = process.argv[2];
const errors = Number(process.argv[3] ?? 6);
const cancels = Number(process.argv[4] ?? 4);
const idleMs = Number(process.argv[5] ?? 5000);
if (!base) {
  process.stderr.write('usage: node http-reconnect.mjs http://127.0.0.1:PORT [errors] [cancels] [idleMs]\n');
  process.exit(2);
}

const summary = new Summary();
const started = Date.now();
const gets = [];

/** fetch that records every GET the transport sends (standalone stream or resumption). */
async function recordingFetch(url, init) {
  const method = init?.method ?? 'GET';
  if (method !== 'GET') return fetch(url, init);
  const headers = new Headers(init?.headers);
  const entry = { at: Date.now() - started, lastEventId: headers.get('last-event-id'), status: null };
  gets.push(entry);
  const response = await fetch(url, init);
  entry.status = response.status;
  return response;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const updates = [];
const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { fetch: recordingFetch });
const client = new Client({ name: 'mcp-server-e2e-reconnect', version: '1.0.0' });
client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => { updates.push(n.params); });
client.onerror = () => {}; // reconnect failures are counted through the recorded GETs

try {
  const connected = await summary.step('connect', async () => {
    await within(30_000, client.connect(transport), 'initialize');
    await client.subscribeResource({ uri: 'demo://counter' });
    return { sessionId: transport.sessionId };
  });
  if (connected.ok) {
    await summary.step('failures', async () => {
      const codes = [];
      for (let i = 0; i < errors; i++) {
        try {
          await client.callTool({ name: `no_such_tool_${i}`, arguments: {} });
          codes.push(null);
        } catch (error) {
          codes.push(error?.code ?? String(error));
        }
      }
      let cancelled = 0;
      for (let i = 0; i < cancels; i++) {
        const abort = new AbortController();
        const call = client.callTool({ name: 'slow_count', arguments: { count: 50, delay_ms: 100 } }, undefined,
          { signal: abort.signal });
        await sleep(300);
        abort.abort('cancelled by the test');
        try {
          await call;
        } catch {
          cancelled++;
        }
      }
      return { codes, cancelled };
    });
    await summary.step('settle', async () => {
      await sleep(idleMs); // every reconnect the SDK schedules (retry: 1 s) happens in here
      const idleFrom = Date.now() - started - idleMs / 2;
      const before = updates.length;
      await client.callTool({ name: 'bump_counter', arguments: { by: 1 } });
      const deadline = Date.now() + 10_000;
      while (updates.length === before && Date.now() < deadline) await sleep(20);
      await sleep(2500); // a duplicate would come with the next takeover, one retry (1 s) later
      return {
        gets,
        getsInSecondHalfOfIdle: gets.filter((g) => g.at >= idleFrom && g.at < idleFrom + idleMs / 2).length,
        updatesAfterOneBump: updates.length - before,
      };
    });
  }
} finally {
  await client.close().catch(() => {});
  summary.print();
}
