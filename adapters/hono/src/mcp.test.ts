/**
 * A Hono app on Node (@hono/node-server) over real HTTP on 127.0.0.1, with `mcp(server)` mounted
 * on several routes, driven by the official clients:
 * - the v1 SDK (2025 era): initialize → tools/call with a real elicitation/create → resources/read → DELETE;
 * - the v2 client pinned to 2026-07-28: tools/call answered `input_required`, retried with the answer.
 * Also: an auth middleware's `c.set("user", …)` reaches `ctx.assigns.user`, and an earlier
 * middleware that read the body through Hono (`c.req.json()`) does not break Wisp.
 */
import type { AddressInfo } from "node:net";
import type { Server as NodeHttpServer } from "node:http";
import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from "@modelcontextprotocol/client";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as TransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createServer } from "@wisp/core";
import { Hono } from "hono";
import * as v from "valibot";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ACCEPT, type Json, MODERN, type Seen, legacyFlow as runLegacyFlow, modernFlow as runModernFlow, recordingFetch } from "../../../test-kit/mcp.js";
import { mcp } from "./index.js";

const server = createServer({ name: "hono-it", version: "1.0.0", requestStateSecret: "a-test-secret-that-is-at-least-32-bytes!" })
  .tool("confirm_action", { description: "Asks the user to confirm an action", input: v.object({ action: v.string() }) }, async ({ action }, ctx) => {
    const answer = await ctx.elicit({ key: "confirm", message: `Really ${action}?`, schema: v.object({ confirm: v.boolean() }) });
    if (answer.action !== "accept") return `${action}: ${answer.action}`;
    return `${action}: ${answer.content.confirm ? "confirmed" : "refused"} (${ctx.session.era})`;
  })
  .tool("whoami", { description: "Who the auth middleware says the caller is" }, (_args, ctx) => {
    const env = ctx.assigns.env as { incoming?: unknown } | undefined;
    return JSON.stringify({
      user: ctx.assigns.user ?? null,
      nodeBindings: env?.incoming !== undefined,
      remoteIp: ctx.transport.type === "http" ? ctx.transport.remoteIp : null,
    });
  })
  .resource("notes://today", { name: "today", mimeType: "text/plain" }, () => "Ship the Hono adapter.");

/** Methods of the POST bodies the logging middleware read through `c.req.json()`. */
const logged: string[] = [];
const errors: string[] = [];

function buildApp() {
  const app = new Hono<{ Variables: { user: string } }>();
  app.onError((error, c) => {
    errors.push(error.message);
    return c.json({ error: error.message }, 500);
  });
  // Auth: a bearer token becomes c.var.user, which tools read as ctx.assigns.user.
  app.use("/mcp", async (c, next) => {
    const token = c.req.header("authorization");
    if (token === "Bearer ada-token") c.set("user", "ada");
    await next();
  });
  app.all("/mcp", mcp(server, { getConnInfo }));
  // A logging middleware that reads (and so consumes) the body before Wisp sees the request.
  app.use("/logged/mcp", async (c, next) => {
    if (c.req.method === "POST") {
      const body = (await c.req.json()) as Json;
      logged.push(Array.isArray(body) ? "(batch)" : (body.method ?? "(response)"));
    }
    await next();
  });
  app.all("/logged/mcp", mcp(server));
  // Mounted inside a sub-app, as middleware.
  const api = new Hono();
  api.use("/mcp", mcp(server));
  app.route("/api", api);
  // A middleware that reads the raw body behind Hono's back: Wisp cannot recover it.
  app.use("/raw/mcp", async (c, next) => {
    await c.req.raw.text();
    await next();
  });
  app.all("/raw/mcp", mcp(server));
  return app;
}

let http: NodeHttpServer;
let base: string;

beforeAll(async () => {
  const app = buildApp();
  await new Promise<void>((resolve) => {
    http = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve()) as NodeHttpServer;
  });
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await server.close();
  http?.closeAllConnections();
  await new Promise<void>((resolve) => http?.close(() => resolve()));
});

beforeEach(() => {
  logged.length = 0;
  errors.length = 0;
});

/** 2025 era with the v1 SDK: initialize → tools/call (elicitation) → resources/read → DELETE. */
const legacyFlow = (url: string) => runLegacyFlow(url, { serverInfo: { name: "hono-it" }, deployed: "deploy: confirmed (legacy)", note: "Ship the Hono adapter." });

/** 2026 era with the v2 client: tools/call → input_required → retry with inputResponses + requestState. */
const modernFlow = (url: string) => runModernFlow(url, { rolledBack: "rollback: confirmed (modern)" });

describe("mcp(server) on a Hono app served by @hono/node-server", () => {
  it("2025 era: the v1 SDK initializes, answers an elicitation, reads a resource and DELETEs its session", async () => {
    await legacyFlow(`${base}/mcp`);
  });

  it("2026 era: the v2 client completes tools/call through an input_required round", async () => {
    await modernFlow(`${base}/mcp`);
  });

  it("both eras still work when an earlier middleware read the body with c.req.json()", async () => {
    const legacySeen = await legacyFlow(`${base}/logged/mcp`);
    const legacyPosts = legacySeen.map((s) => s.method);
    // …plus the raw tools/list sent after DELETE to check the session is gone.
    expect(logged).toEqual([...legacyPosts, "tools/list"]);
    expect(logged).toEqual(expect.arrayContaining(["initialize", "notifications/initialized", "tools/call", "(response)", "resources/read"]));
    logged.length = 0;
    await modernFlow(`${base}/logged/mcp`);
    expect(logged.filter((m) => m === "tools/call")).toHaveLength(2);
    expect(errors).toEqual([]);
  });

  it("works mounted as middleware inside a sub-app (app.route)", async () => {
    await legacyFlow(`${base}/api/mcp`);
    await modernFlow(`${base}/api/mcp`);
  });

  it("c.set() from an auth middleware reaches ctx.assigns, with c.env and the remote address", async () => {
    const seen: Seen[] = [];
    const client = new ClientV1({ name: "v1-client", version: "1.0.0" });
    await client.connect(new TransportV1(new URL(`${base}/mcp`), { fetch: recordingFetch(seen, { authorization: "Bearer ada-token" }) }));
    const anonymous = new ClientV2({ name: "v2-client", version: "2.0.0" }, { versionNegotiation: { mode: { pin: MODERN } } });
    await anonymous.connect(new TransportV2(new URL(`${base}/mcp`)));
    try {
      const me = await client.callTool({ name: "whoami", arguments: {} });
      expect(JSON.parse((me.content as Json[])[0].text)).toEqual({ user: "ada", nodeBindings: true, remoteIp: "127.0.0.1" });
      const nobody = await anonymous.callTool({ name: "whoami", arguments: {} });
      expect(JSON.parse((nobody.content as Json[])[0].text)).toMatchObject({ user: null, nodeBindings: true, remoteIp: "127.0.0.1" });
    } finally {
      await Promise.allSettled([client.close(), anonymous.close()]);
    }
  });

  it("a body read behind Hono's back (c.req.raw.text()) is reported, not silently lost", async () => {
    const res = await fetch(`${base}/raw/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: ACCEPT },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "x", version: "1" } } }),
    });
    expect(res.status).toBe(500);
    expect(errors).toEqual([expect.stringContaining("c.req.json()")]);
  });
});
