// Cancellation as a user sees it and as the server sees it: a tagged `sleep` is started through the official SDK
// Client, aborted with an AbortController once the server reports it running, and the server's own record of the
// call (the demo plugin's demo://calls/{tag}) is read back. The client rejecting proves only the client gave up.
import { describe, within } from './summary.mjs';

/** Reads demo://calls/{tag} until done(text) holds; '' while the server does not know the tag yet. */
async function outcome(client, tag, done) {
  const deadline = Date.now() + 30_000;
  let text = '';
  while (Date.now() < deadline) {
    try {
      text = (await client.readResource({ uri: `demo://calls/${tag}` })).contents[0]?.text ?? '';
    } catch {
      text = ''; // not started yet: the resource does not exist
    }
    if (done(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return text;
}

/** Returns {rejected, error, running, serverOutcome}. */
export async function cancelOnTheServer(client, tag, reason) {
  const controller = new AbortController();
  const call = client.callTool({ name: 'sleep', arguments: { ms: 60_000, tag } }, undefined, {
    signal: controller.signal,
    timeout: 120_000,
  });
  const settled = call.then((result) => ({ rejected: false, result }), (error) => ({ rejected: true, error: describe(error) }));
  const running = await outcome(client, tag, (text) => text !== '');
  controller.abort(reason);
  const client_ = await within(30_000, settled, 'cancelled sleep');
  const serverOutcome = await outcome(client, tag, (text) => text !== 'running');
  return { ...client_, running, serverOutcome };
}
