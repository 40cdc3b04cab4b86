// One stateless (2026-07-28) tools/call of "add", as any MCP client would send it.
export function addRequest(url, a = 2, b = 3) {
  return new Request(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": "tools/call",
      "mcp-name": "add",
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: {
        name: "add",
        arguments: { a, b },
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientCapabilities": {},
          "io.modelcontextprotocol/clientInfo": { name: "packaging-test", version: "1.0.0" },
        },
      },
    }),
  });
}

/** The status and the JSON-RPC message of a response (a JSON body or the last SSE `data:`). */
export async function readMessage(res) {
  const text = await res.text();
  const json = (res.headers.get("content-type") ?? "").startsWith("text/event-stream")
    ? text.split("\n").filter((line) => line.startsWith("data:")).map((line) => line.slice(5).trim()).filter(Boolean).at(-1)
    : text;
  return { status: res.status, message: JSON.parse(json) };
}

/** The call over real HTTP. */
export async function callAdd(url, a = 2, b = 3) {
  return readMessage(await fetch(addRequest(url, a, b)));
}
