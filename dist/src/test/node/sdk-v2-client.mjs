// The official TypeScript SDK v2 client (@modelcontextprotocol/client 2.4.0), pinned to protocol revision
// 2026-07-28, drives bin/mcp-server (with the conformance fixtures) over Streamable HTTP (argv[2] = URL) or stdio
// (no argument: the server is spawned from E2E_SERVER_*), and prints a JSON summary for StatelessSdkV2IT:
// discovery, a multi-round tool answered by the client's elicitation handler, and a task (start, poll, result);
// over HTTP also a task that finishes while no client is connected.
//
// SDK 2.4.0 has types for the Tasks extension but no client API for it: its result decoder refuses
// resultType "task". tasksAware() below hands a CreateTaskResult to the caller unchanged but for
// resultType (and an empty content list), so that client.request() can return it; tasks/get is an ordinary
// request whose resultType is "complete".
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { z } from 'zod';
import { stdioServerParams } from './lib/server-launch.mjs';
import { Summary, within } from './lib/summary.mjs';

const TASKS = 'io.modelcontextprotocol/tasks';
const url = process.argv[2];
const summary = new Summary();
const any = z.object({}).passthrough();
let elicitations = 0;

function tasksAware(transport) {
  return new Proxy(transport, {
    set(target, prop, value) {
      if (prop === 'onmessage' && typeof value === 'function') {
        target.onmessage = (message, extra) => {
          const result = message?.result;
          if (result && result.resultType === 'task') {
            message = { ...message, result: { ...result, resultType: 'complete', content: [], createdTask: true } };
          }
          return value(message, extra);
        };
        return true;
      }
      target[prop] = value;
      return true;
    },
    get(target, prop) {
      const value = target[prop];
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function connect() {
  const client = new Client({ name: 'mcp-server-e2e-sdk-v2', version: '1.0.0' }, {
    capabilities: { elicitation: {}, extensions: { [TASKS]: {} } },
    versionNegotiation: { mode: { pin: '2026-07-28' } },
  });
  client.setRequestHandler('elicitation/create', async (request) => {
    elicitations++;
    const props = Object.keys(request.params?.requestedSchema?.properties ?? {});
    return { action: 'accept', content: props.includes('color') ? { color: 'blue' } : { name: 'Ada' } };
  });
  const base = url ? new StreamableHTTPClientTransport(new URL(url)) : new StdioClientTransport(stdioServerParams());
  await within(60_000, client.connect(tasksAware(base)), 'connect');
  return client;
}

async function poll(client, taskId, statuses, ms = 20_000) {
  const deadline = Date.now() + ms;
  const seen = [];
  for (;;) {
    const task = await client.request({ method: 'tasks/get', params: { taskId } }, any);
    if (seen.at(-1) !== task.status) seen.push(task.status);
    if (statuses.includes(task.status)) return { task, seen };
    if (Date.now() > deadline) throw new Error(`task ${taskId} still ${task.status} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, task.pollIntervalMs ?? 200));
  }
}

let client;
try {
  await summary.step('connect', async () => {
    client = await connect();
    return {
      protocolVersion: client.getNegotiatedProtocolVersion(),
      era: client.getProtocolEra(),
      extensions: client.getServerCapabilities()?.extensions ?? null,
    };
  });

  await summary.step('listTools', async () => {
    const result = await client.listTools();
    return { names: result.tools.map((t) => t.name) };
  });

  await summary.step('multiRound', async () => {
    const before = elicitations;
    const result = await client.callTool({ name: 'test_input_required_result_multi_round', arguments: {} });
    return { text: result.content?.[0]?.text, elicitations: elicitations - before };
  });

  await summary.step('task', async () => {
    const created = await client.request({ method: 'tools/call',
      params: { name: 'slow_compute', arguments: { seconds: 1, label: 'sdk-v2' } } }, any);
    const { task, seen } = await poll(client, created.taskId, ['completed', 'failed', 'cancelled']);
    return { created: created.createdTask === true, taskId: created.taskId, firstStatus: created.status,
      ttlMs: created.ttlMs, seen, status: task.status, text: task.result?.content?.[0]?.text };
  });

  await summary.step('taskAsks', async () => {
    const created = await client.request({ method: 'tools/call',
      params: { name: 'confirm_delete', arguments: { filename: 'a.txt' } } }, any);
    const { task } = await poll(client, created.taskId, ['input_required']);
    const keys = Object.keys(task.inputRequests ?? {});
    const answers = Object.fromEntries(keys.map((k) => [k, { action: 'accept', content: { confirm: true } }]));
    await client.request({ method: 'tasks/update', params: { taskId: created.taskId, inputResponses: answers } }, any);
    const done = await poll(client, created.taskId, ['completed', 'failed', 'cancelled']);
    return { keys, status: done.task.status, text: done.task.result?.content?.[0]?.text };
  });

  if (url) {
    await summary.step('taskOutlivesClient', async () => {
      const created = await client.request({ method: 'tools/call',
        params: { name: 'slow_compute', arguments: { seconds: 2, label: 'alone' } } }, any);
      await client.close();
      await new Promise((r) => setTimeout(r, 2_500)); // no client connected while the task finishes
      client = await connect();
      const { task } = await poll(client, created.taskId, ['completed', 'failed', 'cancelled']);
      return { status: task.status, text: task.result?.content?.[0]?.text };
    });
  }
} finally {
  summary.print();
  await client?.close().catch(() => {});
}
