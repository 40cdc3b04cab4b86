/**
 * After the storm, a normal client must still be served: the official SDK client over 2025-11-25
 * (initialize, tools/list, tools/call, DELETE) and one raw 2026-07-28 tools/call, on each target.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Server } from "@wisp/core";

const MODERN = "2026-07-28";

/** A fetch that goes over the network, or straight into handle() like a fetch-style runtime. */
export function fetchFor(target: "http" | "handle", server: Server): typeof fetch {
  if (target === "http") return fetch;
  return (input, init) => server.handle(new Request(input as RequestInfo, init), { loopback: true, remoteIp: "127.0.0.1" });
}

const within = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms).unref())]);

async function legacyClient(url: string, fetchImpl: typeof fetch): Promise<void> {
  const client = new Client({ name: "after-check", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(url), { fetch: fetchImpl });
  try {
    await within(client.connect(transport), 5_000, "initialize");
    const { tools } = await within(client.listTools(), 5_000, "tools/list");
    if (!tools.some((tool) => tool.name === "echo")) throw new Error(`tools/list lacks echo: ${tools.map((t) => t.name).join(", ")}`);
    const called = await within(client.callTool({ name: "echo", arguments: { text: "still here" } }), 5_000, "tools/call");
    const text = (called.content as { type: string; text?: string }[])[0]?.text;
    if (text !== "still here") throw new Error(`tools/call answered ${JSON.stringify(called)}`);
    await within(transport.terminateSession(), 5_000, "DELETE");
  } finally {
    await client.close();
  }
}

async function modernCall(url: string, fetchImpl: typeof fetch): Promise<void> {
  const response = await within(
    fetchImpl(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": MODERN, "mcp-method": "tools/call", "mcp-name": "echo" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "echo", arguments: { text: "modern" }, _meta: { "io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {} } },
      }),
    }),
    5_000,
    "2026 tools/call",
  );
  const body = await within(response.text(), 5_000, "2026 tools/call body");
  const message = JSON.parse(body) as { result?: { resultType?: string; content?: { text?: string }[] } };
  if (response.status !== 200 || message.result?.resultType !== "complete" || message.result.content?.[0]?.text !== "modern") {
    throw new Error(`2026 tools/call answered ${response.status} ${body.slice(0, 300)}`);
  }
}

/** Runs both flows; resolves with what failed (empty when a normal client is still served). */
export async function afterCheck(target: "http" | "handle", url: string, server: Server): Promise<string[]> {
  const failures: string[] = [];
  const fetchImpl = fetchFor(target, server);
  for (const [name, flow] of [["2025-11-25 SDK client", legacyClient], ["2026-07-28 tools/call", modernCall]] as const) {
    try {
      await flow(url, fetchImpl);
    } catch (error) {
      failures.push(`${target}: ${name}: ${(error as Error).message}`);
    }
  }
  return failures;
}
