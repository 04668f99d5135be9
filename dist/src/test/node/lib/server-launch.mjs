// How to start the server under test, as handed over by the Java harness (NodeScript.server):
// E2E_SERVER_COMMAND (JSON array), E2E_SERVER_ENV (JSON object of extra variables), E2E_SERVER_CWD.

/** Parameters for the SDK's StdioClientTransport: the server's stderr is piped so the caller can keep it. */
export function stdioServerParams() {
  const command = JSON.parse(required('E2E_SERVER_COMMAND'));
  const extra = JSON.parse(process.env.E2E_SERVER_ENV ?? '{}');
  const env = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('E2E_') && !name.startsWith('MCP_')) env[name] = value;
  }
  Object.assign(env, extra);
  return {
    command: command[0],
    args: command.slice(1),
    env,
    cwd: process.env.E2E_SERVER_CWD,
    stderr: 'pipe',
  };
}

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this script through NodeScript.server(...)`);
  return value;
}
