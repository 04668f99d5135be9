// The official TypeScript SDK client drives `bin/mcp-server --stdio` (spawned by the SDK's stdio
// transport) through the everyday features, and prints a JSON summary for StdioSdkIT:
// initialize, tools/list, echo, resources/read demo://readme, prompts/get greet, slow_count with
// progress and log notifications, a cancelled sleep, and a call after the cancellation.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { stdioServerParams } from './lib/server-launch.mjs';
import { Summary, within } from './lib/summary.mjs';
import { cancelOnTheServer } from './lib/cancel.mjs';

const summary = new Summary();
const serverStderr = [];
const logs = [];

const transport = new StdioClientTransport(stdioServerParams());
let negotiatedVersion;
transport.setProtocolVersion = (version) => { negotiatedVersion = version; };
const client = new Client({ name: 'mcp-server-e2e-stdio', version: '1.0.0' }, { capabilities: {} });
client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
  logs.push(notification.params);
});

function texts(content) {
  return (content ?? []).filter((c) => c.type === 'text').map((c) => c.text);
}

try {
  await summary.step('initialize', async () => {
    await within(60_000, client.connect(transport), 'initialize');
    transport.stderr?.on('data', (chunk) => serverStderr.push(chunk.toString()));
    return {
      protocolVersion: negotiatedVersion,
      serverInfo: client.getServerVersion(),
      capabilities: client.getServerCapabilities(),
    };
  });

  await summary.step('listTools', async () => {
    const result = await client.listTools();
    return { names: result.tools.map((t) => t.name), tools: result.tools };
  });

  await summary.step('echo', async () => {
    const text = 'hello from the TypeScript SDK ✓';
    const result = await client.callTool({ name: 'echo', arguments: { text } });
    return { sent: text, texts: texts(result.content), isError: result.isError ?? false };
  });

  // text_stats returns a record whose absent values are null (and empty Optionals): the SDK checks
  // structuredContent against the tool's outputSchema and rejects the call if they disagree.
  await summary.step('structuredWithNulls', async () => {
    const empty = await client.callTool({ name: 'text_stats', arguments: { text: '...' } });
    const full = await client.callTool({ name: 'text_stats', arguments: { text: 'Call 42 friends on 2025-06-01' } });
    return {
      empty: { structured: empty.structuredContent, isError: empty.isError ?? false },
      full: { structured: full.structuredContent, isError: full.isError ?? false },
    };
  });

  await summary.step('readResource', async () => {
    const result = await client.readResource({ uri: 'demo://readme' });
    return { contents: result.contents };
  });

  await summary.step('getPrompt', async () => {
    const result = await client.getPrompt({ name: 'greet', arguments: { name: 'Ada' } });
    return {
      description: result.description,
      messages: result.messages,
      texts: result.messages.map((m) => m.content?.text).filter((t) => t !== undefined),
    };
  });

  await summary.step('slowCount', async () => {
    if (client.getServerCapabilities()?.logging) {
      await client.setLoggingLevel('debug');
    }
    const logsBefore = logs.length;
    const progress = [];
    const args = { count: 3, delay_ms: 100 };
    const result = await client.callTool({ name: 'slow_count', arguments: args }, undefined, {
      onprogress: (p) => progress.push(p),
    });
    return {
      arguments: args,
      texts: texts(result.content),
      isError: result.isError ?? false,
      progress,
      logs: logs.slice(logsBefore),
    };
  });

  await summary.step('cancel', () => cancelOnTheServer(client, 'stdio-sdk', 'cancelled by the e2e test'));

  await summary.step('afterCancel', async () => {
    const text = 'still here';
    const result = await within(10_000,
      client.callTool({ name: 'echo', arguments: { text } }),
      'echo after the cancellation');
    return { sent: text, texts: texts(result.content), isError: result.isError ?? false };
  });
} finally {
  await client.close().catch(() => {});
  summary.set('logCount', logs.length);
  summary.set('serverStderr', serverStderr.join('').slice(-20_000));
  summary.print();
}
