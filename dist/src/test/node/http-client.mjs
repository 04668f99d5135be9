// The official TypeScript SDK client against the running server's HTTP listener, once over Streamable HTTP
// (StreamableHTTPClientTransport, <base>/mcp) and once over legacy HTTP+SSE (SSEClientTransport,
// <base>/sse). For each it goes through initialize, tools/list, slow_count with progress and logs on the
// call's stream, sampling and elicitation answered by this client, resources/subscribe then bump_counter
// -> notifications/resources/updated, and the end of the session (DELETE, then 404 for the old id).
// Over Streamable HTTP it also records the Content-Type the server chose for each POST (one JSON body for a
// call that emits nothing before its result, an event stream for one that does), and drops the connection
// of one slow_count call after its first progress event, so that the SDK resumes it with GET + Last-Event-ID.
// Usage: node http-client.mjs http://127.0.0.1:PORT   Prints a JSON summary (see lib/summary.mjs).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { Summary, within } from './lib/summary.mjs';

const base = process.argv[2];
if (!base) {
  process.stderr.write('usage: node http-client.mjs http://127.0.0.1:PORT\n');
  process.exit(2);
}

const summary = new Summary();

/** Every Streamable HTTP POST the SDK sent: JSON-RPC method, tool name and the reply's Content-Type. */
const posts = [];
/** The Last-Event-ID of every GET the SDK sent (resumptions; null for its standalone stream). */
const resumptions = [];
const DROP_TAG = 'drop-after-first-progress';

/**
 * fetch that records what the transport sends and gets, and cuts the response of the slow_count call tagged
 * DROP_TAG right after the chunk that carried its first progress event (the next read fails like a lost
 * connection), as a flaky network would.
 */
async function recordingFetch(url, init) {
  const method = init?.method ?? 'GET';
  if (method === 'GET') {
    resumptions.push(new Headers(init?.headers).get('last-event-id'));
  }
  const response = await fetch(url, init);
  if (method !== 'POST' || typeof init.body !== 'string') return response;
  let rpc = {};
  try { rpc = JSON.parse(init.body); } catch { /* not JSON: recorded without a method */ }
  posts.push({ method: rpc.method ?? null, tool: rpc.params?.name ?? null, status: response.status,
    contentType: response.headers.get('content-type') });
  if (rpc.params?.arguments?.tag !== DROP_TAG || !response.body) return response;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let seen = '';
  let cut = false;
  const body = new ReadableStream({
    async pull(controller) {
      if (cut) {
        await reader.cancel().catch(() => {});
        controller.error(new TypeError('terminated: connection dropped by the test'));
        return;
      }
      const { value, done } = await reader.read();
      if (done) {
        controller.close();
        return;
      }
      seen += decoder.decode(value, { stream: true });
      controller.enqueue(value);
      cut = seen.includes('notifications/progress');
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** The Content-Type of the last recorded POST of {@code method} (and tool), or null (legacy transport). */
function replyType(method, tool) {
  const found = posts.filter((p) => p.method === method && (tool === undefined || p.tool === tool));
  return found.length === 0 ? null : found[found.length - 1].contentType;
}

function texts(content) {
  return (content ?? []).filter((c) => c.type === 'text').map((c) => c.text);
}

/** Runs every step over one transport; step names are prefixed with the transport's name. */
async function exercise(name, transport) {
  const logs = [];
  const updates = [];
  const samplingRequests = [];
  const elicitRequests = [];
  const client = new Client({ name: `mcp-server-e2e-${name}`, version: '1.0.0' },
    { capabilities: { sampling: {}, elicitation: { form: {} } } });
  const order = []; // progress, logs and results of the resumed call, as the client saw them
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => { logs.push(n.params); order.push(`log ${n.params.data}`); });
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => { updates.push(n.params); });
  client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
    samplingRequests.push(request.params);
    return {
      role: 'assistant',
      content: { type: 'text', text: `42 (answered over ${name})` },
      model: 'e2e-test-model',
      stopReason: 'endTurn',
    };
  });
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    elicitRequests.push(request.params);
    return { action: 'accept', content: { name: 'Ada', colour: 'green', subscribe: true } };
  });

  const step = (stepName, fn) => summary.step(`${name}.${stepName}`, fn);
  try {
    const connected = await step('initialize', async () => {
      await within(30_000, client.connect(transport), 'initialize');
      return {
        serverInfo: client.getServerVersion(),
        capabilities: client.getServerCapabilities(),
        sessionId: transport.sessionId ?? null,
      };
    });
    if (!connected.ok) return;

    await step('listTools', async () => {
      const result = await client.listTools();
      return { names: result.tools.map((t) => t.name), contentType: replyType('tools/list'),
        initializeContentType: replyType('initialize') };
    });

    await step('slowCount', async () => {
      await client.setLoggingLevel('debug');
      const logsBefore = logs.length;
      const progress = [];
      const result = await within(30_000, client.callTool({ name: 'slow_count', arguments: { count: 3, delay_ms: 50 } },
        undefined, { onprogress: (p) => progress.push(p) }), 'slow_count');
      return { texts: texts(result.content), isError: result.isError ?? false, progress, logs: logs.slice(logsBefore),
        contentType: replyType('tools/call', 'slow_count') };
    });

    if (transport instanceof StreamableHTTPClientTransport) {
      await step('resumedCall', async () => {
        const logsBefore = logs.length;
        const orderBefore = order.length;
        const getsBefore = resumptions.length;
        const progress = [];
        const result = await within(30_000, client.callTool(
          { name: 'slow_count', arguments: { count: 5, delay_ms: 200, tag: DROP_TAG } }, undefined,
          { onprogress: (p) => { progress.push(p); order.push(`progress ${p.progress}`); } }), 'slow_count (dropped)');
        order.push('result');
        return { texts: texts(result.content), isError: result.isError ?? false, progress, logs: logs.slice(logsBefore),
          order: order.slice(orderBefore), contentType: replyType('tools/call', 'slow_count'),
          resumedWith: resumptions.slice(getsBefore) };
      });
    }

    await step('sampling', async () => {
      const result = await within(30_000, client.callTool({ name: 'ask_model', arguments: { question: 'The answer?' } }),
        'ask_model');
      return { texts: texts(result.content), isError: result.isError ?? false, requests: samplingRequests.length,
        contentType: replyType('tools/call', 'ask_model') };
    });

    await step('elicitation', async () => {
      const result = await within(30_000, client.callTool({ name: 'ask_user', arguments: {} }), 'ask_user');
      return { texts: texts(result.content), isError: result.isError ?? false, requests: elicitRequests.length };
    });

    await step('subscribe', async () => {
      await client.subscribeResource({ uri: 'demo://counter' });
      const before = updates.length;
      const bumped = await client.callTool({ name: 'bump_counter', arguments: { by: 2 } });
      const deadline = Date.now() + 10_000;
      while (updates.length === before && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return { texts: texts(bumped.content), updates: updates.slice(before) };
    });

    await step('endSession', async () => {
      if (transport instanceof StreamableHTTPClientTransport) {
        const sessionId = transport.sessionId;
        await transport.terminateSession();
        const after = await fetch(`${base}/mcp`, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            Accept: 'application/json, text/event-stream',
            'Mcp-Session-Id': sessionId,
            'MCP-Protocol-Version': '2025-11-25',
          },
          body: JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'ping' }),
        });
        return { sessionId, statusAfterDelete: after.status, body: await after.text() };
      }
      // legacy: the session ends with its stream; the old message endpoint then answers 404
      const endpoint = transport._endpoint?.href;
      await client.close();
      let status;
      for (let i = 0; i < 50; i++) {
        const after = await fetch(endpoint, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'ping' }),
        });
        status = after.status;
        if (status === 404) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return { endpoint, statusAfterDelete: status };
    });
  } finally {
    await client.close().catch(() => {});
  }
}

try {
  await exercise('streamable', new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { fetch: recordingFetch }));
  await exercise('sse', new SSEClientTransport(new URL(`${base}/sse`)));
} finally {
  summary.print();
}
