/**
 * One Wisp server on real HTTP (127.0.0.1), two official clients at the same time:
 * - the v1 SDK (`@modelcontextprotocol/sdk` 1.x): 2025-era `initialize` + session; the tool's
 *   `ctx.elicit` reaches it as a real `elicitation/create` request on the call's SSE stream;
 * - the v2 client (`@modelcontextprotocol/client` 2.x) pinned to 2026-07-28: stateless, no
 *   session; the same `ctx.elicit` answers `input_required` and the client fulfils it through
 *   its `elicitation/create` handler, then retries with `inputResponses` + `requestState`
 *   (its default `inputRequired.autoFulfill`).
 */
import { createServer } from "@wisp/core";
import * as v from "valibot";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MODERN, type Seen, connectV1 as connectV1To, connectV2 as connectV2To, recordingFetch, watchToolListChanged } from "../../../test-kit/mcp.js";
import { withTimeout } from "../../../test-kit/process.js";
import { type RunningServer, serve } from "./index.js";

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

/** The v1 SDK (2025 era, elicitation answered with confirm: true), recorded into `seen`. */
const connectV1 = (url = running.url) => connectV1To(url, recordingFetch(seen));

/** The v2 client (elicitation answered with confirm: true), recorded into `seen`. */
const connectV2 = (mode: "legacy" | "auto" | { pin: string } = { pin: MODERN }, url = running.url) => connectV2To(url, recordingFetch(seen), mode);

/** Two tool calls made at the same time, awaited together (bounded). */
const bothCalls = <A, B>(a: Promise<A>, b: Promise<B>) => withTimeout(Promise.all([a, b]), 15_000, "both tool calls");

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

      const [legacy, modern] = await bothCalls(
        v1.client.callTool({ name: "confirm_action", arguments: { action: "deploy" } }),
        v2.client.callTool({ name: "confirm_action", arguments: { action: "rollback" } }),
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
      const [modernResult, legacyResult] = await bothCalls(
        auto.client.callTool({ name: "confirm_action", arguments: { action: "merge" } }),
        legacy.client.callTool({ name: "confirm_action", arguments: { action: "tag" } }),
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
      const { subscription, bothChanged } = await watchToolListChanged(v1.client, v2.client);
      // The v1 client opens its GET stream after initialization; give it a moment to be attached.
      await v1.client.listTools();
      await new Promise((resolve) => setTimeout(resolve, 100));

      server.tool("second", { description: "Second" }, () => "second");
      await bothChanged();
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
