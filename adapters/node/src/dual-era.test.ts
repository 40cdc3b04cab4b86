/**
 * One Wisp server on real HTTP (127.0.0.1), two official clients at the same time:
 * - the v1 SDK (`@modelcontextprotocol/sdk` 1.x): 2025-era `initialize` + session; the tool's
 *   `ctx.elicit` reaches it as a real `elicitation/create` request on the call's SSE stream;
 * - the v2 client (`@modelcontextprotocol/client` 2.x) pinned to 2026-07-28: stateless, no
 *   session; the same `ctx.elicit` answers `input_required` and the client fulfils it through
 *   its `elicitation/create` handler, then retries with `inputResponses` + `requestState`
 *   (its default `inputRequired.autoFulfill`).
 */
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from "@modelcontextprotocol/client";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as TransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema, ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { createServer } from "@wisp/core";
import * as v from "valibot";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunningServer, serve } from "./index.js";

type Json = Record<string, any>;
const MODERN = "2026-07-28";

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Every request the server saw, with the headers that tell the eras apart. */
interface Seen {
  method: string;
  protocolHeader: string | null;
  sessionId: string | null;
  mcpMethod: string | null;
  mcpName: string | null;
  metaVersion: unknown;
  hasInputResponses: boolean;
  hasRequestState: boolean;
  isResponse: boolean;
}

let running: RunningServer;
const seen: Seen[] = [];
/** The era of each tool run that got past the elicitation. */
const runs: string[] = [];

beforeAll(async () => {
  const server = createServer({ name: "dual", version: "1.0.0", requestStateSecret: "a-test-secret-that-is-at-least-32-bytes!" }).tool(
    "confirm_action",
    { description: "Asks the user to confirm an action", input: v.object({ action: v.string() }) },
    async ({ action }, ctx) => {
      const answer = await ctx.elicit({ message: `Really ${action}?`, schema: v.object({ confirm: v.boolean() }), key: "confirm" });
      runs.push(ctx.session.era);
      if (answer.action !== "accept") return `${action}: ${answer.action}`;
      return answer.content.confirm ? `${action}: confirmed (${ctx.session.era})` : `${action}: refused (${ctx.session.era})`;
    },
  );
  running = await serve(server, { port: 0 });
});

afterAll(async () => {
  await running?.close();
});

beforeEach(() => {
  seen.length = 0;
  runs.length = 0;
});

/** A fetch that records what each client sends, then passes the request on unchanged. */
function recordingFetch(): typeof fetch {
  return async (input, init) => {
    const request = new Request(input as RequestInfo, init);
    if (request.method === "POST") {
      const body = JSON.parse(await request.clone().text()) as Json;
      const params = (body.params ?? {}) as Json;
      seen.push({
        method: body.method ?? "(response)",
        protocolHeader: request.headers.get("mcp-protocol-version"),
        sessionId: request.headers.get("mcp-session-id"),
        mcpMethod: request.headers.get("mcp-method"),
        mcpName: request.headers.get("mcp-name"),
        metaVersion: params._meta?.["io.modelcontextprotocol/protocolVersion"],
        hasInputResponses: "inputResponses" in params,
        hasRequestState: "requestState" in params,
        isResponse: !("method" in body),
      });
    }
    return fetch(request);
  };
}

async function connectV1(url = running.url) {
  const client = new ClientV1({ name: "v1-client", version: "1.0.0" }, { capabilities: { elicitation: {} } });
  const asked: Json[] = [];
  client.setRequestHandler(ElicitRequestSchema, (request) => {
    asked.push(request.params as Json);
    return { action: "accept", content: { confirm: true } };
  });
  await client.connect(new TransportV1(new URL(url), { fetch: recordingFetch() }));
  return { client, asked };
}

async function connectV2(mode: "legacy" | "auto" | { pin: string } = { pin: MODERN }, url = running.url) {
  const client = new ClientV2({ name: "v2-client", version: "2.0.0" }, { capabilities: { elicitation: {} }, versionNegotiation: { mode } });
  const asked: Json[] = [];
  client.setRequestHandler("elicitation/create", async (request) => {
    asked.push(request.params as Json);
    return { action: "accept", content: { confirm: true } };
  });
  await client.connect(new TransportV2(new URL(url), { fetch: recordingFetch() }));
  return { client, asked };
}

describe("one server, both eras at once", () => {
  it("the v1 SDK (2025 session) and the v2 client (2026 stateless) call the same elicitation tool concurrently", async () => {
    const [v1, v2] = await withTimeout(Promise.all([connectV1(), connectV2()]), 10_000, "both clients to connect");
    try {
      // Each client negotiated its own era on the same endpoint.
      expect(v1.client.getServerVersion()).toMatchObject({ name: "dual", version: "1.0.0" });
      expect(v2.client.getProtocolEra()).toBe("modern");
      expect(v2.client.getNegotiatedProtocolVersion()).toBe(MODERN);

      const [legacyTools, modernTools] = await withTimeout(Promise.all([v1.client.listTools(), v2.client.listTools()]), 10_000, "tools/list from both");
      expect(legacyTools.tools.map((t) => t.name)).toEqual(["confirm_action"]);
      expect(modernTools.tools.map((t) => t.name)).toEqual(["confirm_action"]);
      expect(modernTools.tools[0].inputSchema).toEqual(legacyTools.tools[0].inputSchema);

      const [legacy, modern] = await withTimeout(
        Promise.all([
          v1.client.callTool({ name: "confirm_action", arguments: { action: "deploy" } }),
          v2.client.callTool({ name: "confirm_action", arguments: { action: "rollback" } }),
        ]),
        15_000,
        "both tool calls",
      );
      expect(legacy.content).toEqual([{ type: "text", text: "deploy: confirmed (legacy)" }]);
      expect(modern.content).toEqual([{ type: "text", text: "rollback: confirmed (modern)" }]);

      // Both clients were asked exactly once, with the same form.
      for (const asked of [v1.asked, v2.asked]) {
        expect(asked).toHaveLength(1);
        expect(asked[0]).toMatchObject({ message: expect.stringMatching(/^Really (deploy|rollback)\?$/), requestedSchema: { type: "object", properties: { confirm: { type: "boolean" } } } });
      }

      // The wire: the v1 client used a session and answered a real server→client request;
      // the v2 client never had a session and retried tools/call with inputResponses + requestState.
      const v1Posts = seen.filter((s) => s.sessionId !== null || s.method === "initialize");
      expect(v1Posts.some((s) => s.method === "initialize")).toBe(true);
      expect(v1Posts.some((s) => s.isResponse)).toBe(true);
      const modernCalls = seen.filter((s) => s.method === "tools/call" && s.metaVersion === MODERN);
      expect(modernCalls).toHaveLength(2);
      expect(modernCalls.every((s) => s.sessionId === null && s.protocolHeader === MODERN && s.mcpMethod === "tools/call" && s.mcpName === "confirm_action")).toBe(true);
      expect(modernCalls[0]).toMatchObject({ hasInputResponses: false, hasRequestState: false });
      expect(modernCalls[1]).toMatchObject({ hasInputResponses: true, hasRequestState: true });
      expect(seen.some((s) => s.method === "initialize" && s.metaVersion !== undefined)).toBe(false);
      // The handler ran once on the 2025 leg and once (after the answer) on the 2026 leg.
      expect([...runs].sort()).toEqual(["legacy", "modern"]);
    } finally {
      await Promise.allSettled([v1.client.close(), v2.client.close()]);
    }
  });

  it("the v2 client's own negotiation: 'auto' probes with server/discover and picks 2026; 'legacy' initializes and gets a real elicitation/create", async () => {
    const [auto, legacy] = await withTimeout(Promise.all([connectV2("auto"), connectV2("legacy")]), 10_000, "both v2 clients to connect");
    try {
      expect(auto.client.getProtocolEra()).toBe("modern");
      expect(legacy.client.getProtocolEra()).toBe("legacy");
      const [modernResult, legacyResult] = await withTimeout(
        Promise.all([
          auto.client.callTool({ name: "confirm_action", arguments: { action: "merge" } }),
          legacy.client.callTool({ name: "confirm_action", arguments: { action: "tag" } }),
        ]),
        15_000,
        "both tool calls",
      );
      expect(modernResult.content).toEqual([{ type: "text", text: "merge: confirmed (modern)" }]);
      expect(legacyResult.content).toEqual([{ type: "text", text: "tag: confirmed (legacy)" }]);
      expect(auto.asked).toHaveLength(1);
      expect(legacy.asked).toHaveLength(1);
    } finally {
      await Promise.allSettled([auto.client.close(), legacy.client.close()]);
    }
  });

  it("a tool registered at run time reaches both: the v1 session's GET stream and the v2 client's subscriptions/listen, which ends gracefully on shutdown", async () => {
    const server = createServer({ name: "changes", version: "1.0.0" }).tool("first", { description: "First" }, () => "first");
    const own = await serve(server, { port: 0 });
    try {
      const [v1, v2] = await withTimeout(Promise.all([connectV1(own.url), connectV2({ pin: MODERN }, own.url)]), 10_000, "both clients to connect");
      let legacyNotified!: () => void;
      const legacyChanged = new Promise<void>((resolve) => (legacyNotified = resolve));
      v1.client.setNotificationHandler(ToolListChangedNotificationSchema, () => legacyNotified());
      let modernNotified!: () => void;
      const modernChanged = new Promise<void>((resolve) => (modernNotified = resolve));
      v2.client.setNotificationHandler("notifications/tools/list_changed", () => modernNotified());
      const subscription = await withTimeout(v2.client.listen({ toolsListChanged: true }), 5_000, "the listen acknowledgement");
      expect(subscription.honoredFilter).toEqual({ toolsListChanged: true });
      // The v1 client opens its GET stream after initialization; give it a moment to be attached.
      await v1.client.listTools();
      await new Promise((resolve) => setTimeout(resolve, 100));

      server.tool("second", { description: "Second" }, () => "second");
      await withTimeout(Promise.all([legacyChanged, modernChanged]), 5_000, "tools/list_changed on both eras");
      const [legacyTools, modernTools] = await Promise.all([v1.client.listTools(), v2.client.listTools({}, { cacheMode: "refresh" })]);
      expect(legacyTools.tools.map((t) => t.name)).toEqual(["first", "second"]);
      expect(modernTools.tools.map((t) => t.name)).toEqual(["first", "second"]);

      await own.close();
      expect(await withTimeout(subscription.closed, 5_000, "the subscription to end")).toBe("graceful");
      await Promise.allSettled([v1.client.close(), v2.client.close()]);
    } finally {
      await own.close();
    }
  });
});
