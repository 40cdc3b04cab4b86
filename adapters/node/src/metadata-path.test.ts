/** serve() hands the endpoint's OAuth protected-resource metadata paths (RFC 9728) to the server; other paths stay 404. */
import { createServer } from "@wisp/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, serve } from "./serve.js";

describe("serve() and protected-resource metadata", () => {
  let running: RunningServer;
  beforeAll(async () => {
    const server = createServer({ name: "meta", version: "1" }).onRequest((request) => {
      const { pathname } = new URL(request.url);
      if (pathname.startsWith("/.well-known/oauth-protected-resource")) return Response.json({ resource: "http://127.0.0.1/mcp", served: pathname });
    });
    running = await serve(server, { port: 0 });
  });
  afterAll(() => running?.close());

  it("routes the bare and the path-suffixed metadata URL to the server, and nothing else", async () => {
    const origin = new URL(running.url).origin;
    for (const path of ["/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp"]) {
      const response = await fetch(`${origin}${path}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ resource: "http://127.0.0.1/mcp", served: path });
    }
    for (const path of ["/.well-known/oauth-protected-resource/other", "/elsewhere"]) {
      const response = await fetch(`${origin}${path}`);
      expect(response.status).toBe(404);
      await response.body?.cancel();
    }
  });
});
