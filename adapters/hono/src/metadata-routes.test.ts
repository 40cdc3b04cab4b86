/**
 * A Hono app that mounts Wisp itself also routes the endpoint's OAuth protected-resource metadata
 * (RFC 9728) to it, as packages/auth/README.md shows; the server's auth hook answers there.
 * Driven through `app.fetch`, the way any Hono runtime calls the app.
 */
import { createServer } from "@wisp/core";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { mcp } from "./index.js";

describe("Hono routes for protected-resource metadata", () => {
  it("the documented routes reach the server's hook; the endpoint keeps answering MCP", async () => {
    const server = createServer({ name: "hono-meta", version: "1" })
      .tool("t", { description: "A tool" }, () => "ok")
      .onRequest((request) => {
        const { pathname } = new URL(request.url);
        if (pathname.startsWith("/.well-known/oauth-protected-resource")) return Response.json({ resource: "http://127.0.0.1/mcp", served: pathname });
      });
    const app = new Hono();
    const handler = mcp(server);
    app.all("/mcp", handler);
    app.all("/.well-known/oauth-protected-resource", handler);
    app.all("/.well-known/oauth-protected-resource/*", handler);

    for (const path of ["/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp"]) {
      const response = await app.fetch(new Request(`http://127.0.0.1${path}`));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ resource: "http://127.0.0.1/mcp", served: path });
    }
    const endpoint = await app.fetch(
      new Request("http://127.0.0.1/mcp", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {} } }),
      }),
    );
    expect(endpoint.status).toBe(200);
    expect(endpoint.headers.get("mcp-session-id")).toBeTruthy();
  });
});
