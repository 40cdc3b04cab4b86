import { type IncomingMessage, type ServerResponse, createServer as createHttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createServer } from "@wisp/core";
import { describe, expect, it } from "vitest";
import { toNodeHandler } from "./index.js";

const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };

/** A plain node:http app with an auth step in front, like an Express app would have. */
async function app(listener: ReturnType<typeof toNodeHandler>) {
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse & { locals?: Record<string, unknown> }) => {
    res.locals = { user: req.headers["x-user"] ?? "anonymous" }; // what auth middleware leaves behind
    listener(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function callWhoami(url: string, extra: Record<string, string>) {
  const init = await fetch(url, { method: "POST", headers: { ...headers, ...extra }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {} } }) });
  const sessionId = init.headers.get("mcp-session-id")!;
  const response = await fetch(url, { method: "POST", headers: { ...headers, ...extra, "mcp-session-id": sessionId }, body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "whoami" } }) });
  return JSON.parse((await response.json()).result.content[0].text);
}

describe("toNodeHandler assigns", () => {
  const wisp = createServer<{ user?: string; req?: IncomingMessage; tenant?: string }>({ name: "a", version: "1" }).tool("whoami", { description: "Reports assigns" }, (_args, ctx) =>
    JSON.stringify({ user: ctx.assigns.user, hasReq: ctx.assigns.req !== undefined, method: ctx.assigns.req?.method, tenant: ctx.assigns.tenant ?? null, remoteIp: ctx.transport.type === "http" ? ctx.transport.remoteIp : null }),
  );

  it("passes res.locals (Express) and the Node req by default", async () => {
    const running = await app(toNodeHandler(wisp));
    try {
      expect(await callWhoami(running.url, { "x-user": "ada" })).toEqual({ user: "ada", hasReq: true, method: "POST", tenant: null, remoteIp: "127.0.0.1" });
    } finally {
      await running.close();
    }
  });

  it("takes an assigns(req, res) function for anything else", async () => {
    const running = await app(toNodeHandler(wisp, { assigns: (req) => ({ tenant: String(req.headers["x-tenant"]) }) }));
    try {
      expect(await callWhoami(running.url, { "x-tenant": "acme" })).toEqual({ hasReq: false, tenant: "acme", remoteIp: "127.0.0.1" });
    } finally {
      await running.close();
    }
  });
});
