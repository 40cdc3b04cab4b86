/** createNextHandler without Next: route handlers are plain (Request) => Promise<Response> functions. */
import { createServer } from "@wisp/core";
import { describe, expect, it } from "vitest";
import { createNextHandler } from "./index.js";

const URL_ = "http://127.0.0.1:3000/api/mcp";
const HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };
const MODERN_META = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientCapabilities": {},
  "io.modelcontextprotocol/clientInfo": { name: "t", version: "1" },
};

const server = createServer({ name: "next-unit", version: "1.0.0" }).tool("seen", { description: "What the host handed over" }, (_args, ctx) =>
  JSON.stringify({
    user: ctx.assigns.user ?? null,
    isRequest: ctx.assigns.request instanceof Request,
    path: ctx.transport.type === "http" ? ctx.transport.path : null,
    remoteIp: ctx.transport.type === "http" ? ctx.transport.remoteIp ?? null : null,
  }),
);

function callSeen(handler: (request: Request) => Promise<Response>, headers: Record<string, string> = {}) {
  return handler(
    new Request(URL_, {
      method: "POST",
      headers: { ...HEADERS, "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "seen", ...headers },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "seen", arguments: {}, _meta: MODERN_META } }),
    }),
  );
}

describe("createNextHandler", () => {
  it("returns the four App Router handlers, all answering through the same server", async () => {
    const handlers = createNextHandler(server);
    expect(Object.keys(handlers).sort()).toEqual(["DELETE", "GET", "OPTIONS", "POST"]);
    const preflight = await handlers.OPTIONS(new Request(URL_, { method: "OPTIONS", headers: { origin: "http://localhost:3000" } }));
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-methods")).toBe("GET, POST, DELETE, OPTIONS");
    // DELETE without a session is a 2025-era request missing its session id.
    expect((await handlers.DELETE(new Request(URL_, { method: "DELETE" }))).status).toBe(400);
  });

  it("ctx.assigns has the request, plus what the (async) assigns option returns; remoteIp from its option", async () => {
    const { POST } = createNextHandler(server, {
      assigns: async (request) => ({ user: request.headers.get("authorization") === "Bearer t0k" ? "ada" : undefined }),
      remoteIp: (request) => request.headers.get("x-forwarded-for")?.split(",")[0].trim(),
    });
    const response = await callSeen(POST, { authorization: "Bearer t0k", "x-forwarded-for": "203.0.113.7, 10.0.0.1" });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { result: { content: { text: string }[] } };
    expect(JSON.parse(body.result.content[0].text)).toEqual({ user: "ada", isRequest: true, path: "/api/mcp", remoteIp: "203.0.113.7" });
  });

  it("without options: only the request, no remote address", async () => {
    const { POST } = createNextHandler(server);
    const body = (await (await callSeen(POST)).json()) as { result: { content: { text: string }[] } };
    expect(JSON.parse(body.result.content[0].text)).toEqual({ user: null, isRequest: true, path: "/api/mcp", remoteIp: null });
  });
});
