// Drives gongconnector's MCP server with the official TypeScript SDK client:
// lists the tools, calls search_calls and ask, and prints what it got as one
// JSON object. Usage:
//   node client.mjs stdio QUERY QUESTION -- COMMAND ARGS...
//   node client.mjs http  QUERY QUESTION URL [TOKEN]
// Without TOKEN (http), a refused connection prints {"refused": "..."}.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [mode, query, question, ...rest] = process.argv.slice(2);
let transport;
if (mode === "stdio") {
  const cmd = rest.slice(rest.indexOf("--") + 1);
  // The whole environment: the SDK passes only a safe few variables by default.
  transport = new StdioClientTransport({ command: cmd[0], args: cmd.slice(1), env: process.env, stderr: "inherit" });
} else if (mode === "http") {
  const [url, token] = rest;
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
} else {
  console.error("usage: node client.mjs stdio|http QUERY QUESTION ...");
  process.exit(2);
}

const client = new Client({ name: "official-sdk-test-client", version: "1.0.0" });
try {
  await client.connect(transport);
} catch (err) {
  console.log(JSON.stringify({ refused: String(err && err.message || err) }));
  process.exit(0);
}
const text = (res) => (res.content || []).filter((c) => c.type === "text").map((c) => c.text).join("\n");
const tools = await client.listTools();
const search = await client.callTool({ name: "search_calls", arguments: { query, limit: 5 } });
const ask = await client.callTool({ name: "ask", arguments: { question } });
const bad = await client.callTool({ name: "search_calls", arguments: { query: "x", limit: 500 } });
console.log(JSON.stringify({
  server: client.getServerVersion(),
  tools: tools.tools.map((t) => ({ name: t.name, hasSchema: !!(t.inputSchema && t.inputSchema.type === "object") })),
  search: { isError: !!search.isError, structured: search.structuredContent, text: text(search) },
  ask: { isError: !!ask.isError, structured: ask.structuredContent, text: text(ask) },
  bad: { isError: !!bad.isError, text: text(bad) },
}));
await client.close();
