/**
 * Protected-resource metadata (RFC 9728) paths: adapters hand them to the server, an auth hook
 * answers them (preflight included, before the endpoint's own CORS answer), and without one
 * they are a plain 404, never an MCP request.
 */
import { describe, expect, it } from "vitest";
import { createServer } from "../create-server.js";
import { isServedPath, pathnameOf } from "./paths.js";

const BASE = "http://127.0.0.1:3000";

describe("isServedPath", () => {
  it("serves the endpoint and its metadata (bare and path-suffixed), nothing else", () => {
    expect(isServedPath("/mcp", "/mcp")).toBe(true);
    expect(isServedPath("/.well-known/oauth-protected-resource", "/mcp")).toBe(true);
    expect(isServedPath("/.well-known/oauth-protected-resource/mcp", "/mcp")).toBe(true);
    expect(isServedPath("/.well-known/oauth-protected-resource/other", "/mcp")).toBe(false);
    expect(isServedPath("/.well-known/openid-configuration", "/mcp")).toBe(false);
    expect(isServedPath("/mcp/", "/mcp")).toBe(false);
  });

  it("pathnameOf reads the path of an absolute URL without its query or fragment", () => {
    expect(pathnameOf("http://h:1/a/b?x=1#y")).toBe("/a/b");
    expect(pathnameOf("https://h")).toBe("/");
  });
});

describe("metadata requests reaching the core", () => {
  it("without an auth hook: 404 with a JSON-RPC error, for GET and for a preflight", async () => {
    const server = createServer({ name: "m", version: "1" });
    for (const method of ["GET", "OPTIONS"]) {
      const response = await server.handle(new Request(`${BASE}/.well-known/oauth-protected-resource/mcp`, { method, headers: { origin: "https://elsewhere.example" } }));
      expect(response.status).toBe(404);
      expect((await response.json()).error.message).toMatch(/no protected-resource metadata/);
    }
  });

  it("an onRequest hook answers them, preflight included, whatever the Origin (the document is public)", async () => {
    const server = createServer({ name: "m", version: "1" }).onRequest((request) => {
      if (new URL(request.url).pathname.startsWith("/.well-known/oauth-protected-resource")) {
        const headers = { "access-control-allow-origin": "*", "content-type": "application/json" };
        return request.method === "OPTIONS" ? new Response(null, { status: 204, headers }) : Response.json({ resource: `${BASE}/mcp` }, { headers });
      }
    });
    const get = await server.handle(new Request(`${BASE}/.well-known/oauth-protected-resource/mcp`, { headers: { origin: "https://elsewhere.example" } }));
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ resource: `${BASE}/mcp` });
    const preflight = await server.handle(new Request(`${BASE}/.well-known/oauth-protected-resource`, { method: "OPTIONS", headers: { origin: "https://elsewhere.example" } }));
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    // The endpoint itself still refuses a foreign origin.
    const endpoint = await server.handle(new Request(`${BASE}/mcp`, { method: "OPTIONS", headers: { origin: "https://elsewhere.example" } }));
    expect(endpoint.status).toBe(403);
  });
});
