// The official TypeScript SDK client through nginx balancing three cluster nodes round-robin (deploy/nginx.conf,
// no stickiness): one Streamable HTTP session whose requests land on different nodes, with sampling requests whose
// answers the SDK POSTs back (to whichever node nginx picks next), a log level and a subscription set on some node,
// resources/updated for three changes made on whichever nodes nginx picks arriving once each on the SDK's GET
// stream, and the session ended with DELETE. Usage: node cluster-client.mjs http://127.0.0.1:PORT/mcp
// Prints a JSON summary (see lib/summary.mjs).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { Summary, within } from './lib/summary.mjs';

const url = process.argv[2];
const summary = new Summary();
const client = new Client({ name: 'cluster-client', version: '1.0.0' }, { capabilities: { sampling: {} } });
let sampled = 0;
client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
  sampled++;
  const question = request.params.messages[0]?.content?.text ?? '';
  return { role: 'assistant', content: { type: 'text', text: `answer ${sampled} to ${question}` }, model: 'test',
    stopReason: 'endTurn' };
});
let updates = 0;
client.setNotificationHandler(ResourceUpdatedNotificationSchema, async () => {
  updates++;
});
const transport = new StreamableHTTPClientTransport(new URL(url));

await summary.step('session', async () => {
  await within(30_000, client.connect(transport), 'connect');
  const sessionId = transport.sessionId;
  let tools = 0;
  const echoes = [];
  for (let i = 0; i < 6; i++) {
    tools = (await client.listTools()).tools.length;
    const echoed = await client.callTool({ name: 'echo', arguments: { text: `hello ${i}` } });
    echoes.push(echoed.content?.[0]?.text);
  }
  await client.setLoggingLevel('warning');
  await client.subscribeResource({ uri: 'demo://counter' });
  // each change (made on whichever node nginx picks) reaches the GET stream (on whichever node it is) once
  for (let i = 0; i < 3; i++) {
    await client.callTool({ name: 'bump_counter', arguments: {} });
  }
  const deadline = Date.now() + 30_000;
  while (updates < 3 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await new Promise((resolve) => setTimeout(resolve, 1500)); // a duplicate would come within this
  const updated = updates;
  const answers = [];
  for (let i = 0; i < 3; i++) {
    const asked = await within(30_000, client.callTool({ name: 'ask_model', arguments: { question: `q${i}` } }),
      'ask_model');
    answers.push(asked.content?.[0]?.text);
  }
  await client.unsubscribeResource({ uri: 'demo://counter' });
  await transport.terminateSession();
  return { sessionId, tools, echoes, answers, sampled, updated };
});
await client.close().catch(() => {});
summary.print();
process.exit(0);
