/**
 * JSON-RPC envelopes of both eras. A 2025-era message is plain JSON-RPC; a 2026-07-28 message
 * carries `params._meta["io.modelcontextprotocol/protocolVersion"]` and the client capabilities
 * (packages/core/src/protocol/meta.ts; test-kit/mcp.ts `modernMeta`).
 */
import fc from "fast-check";
import { lit, obj } from "../jnode.js";
import type { JNode } from "../model.js";
import { anyJson, awkwardNumber, deepNode, idNode, junkEntries } from "./values.js";
import { FIXTURE } from "../server.js";
import { genericParams, hostileArguments, inputRoundEntries, paramsByMethod } from "./params.js";

type Entries = [string, JNode][];

export const LEGACY_METHODS = [
  "initialize", "notifications/initialized", "ping", "tools/list", "tools/call", "resources/list", "resources/read",
  "resources/templates/list", "resources/subscribe", "resources/unsubscribe", "prompts/list", "prompts/get",
  "completion/complete", "logging/setLevel", "notifications/cancelled", "notifications/progress",
  "notifications/roots/list_changed", "tasks/get", "tasks/list", "tasks/result", "tasks/cancel",
] as const;

export const MODERN_METHODS = [
  "server/discover", "tools/list", "tools/call", "resources/list", "resources/read", "resources/templates/list",
  "prompts/list", "prompts/get", "completion/complete", "subscriptions/listen", "tasks/get", "tasks/update",
  "tasks/cancel", "tasks/result", "tasks/list", "ping", "initialize", "logging/setLevel", "resources/subscribe",
  "notifications/cancelled", "notifications/initialized",
] as const;

/** Method names no server knows, including ones that trip naive lookups in plain objects. */
const oddMethods = ["", "unknown/method", "TOOLS/LIST", "tools/list ", "constructor", "__proto__", "toString", "rpc.discover", "notifications/unknown", "a".repeat(500)];

/** The methods that reach handlers (tools/call above all) come up more often than the rest. */
const FAVOURED = ["tools/call", "tools/call", "tools/call", "resources/read", "prompts/get", "tools/list"];
const methodFrom = (known: readonly string[]) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...known) },
    { weight: 8, arbitrary: fc.constantFrom(...FAVOURED) },
    { weight: 1, arbitrary: fc.constantFrom(...oddMethods) },
  );

/** Notifications carry no id; everything else usually does (and sometimes forgets it). */
const idEntries = (method: string): fc.Arbitrary<Entries> => {
  const withId = idNode.map((id): Entries => [["id", id]]);
  if (method.startsWith("notifications/")) return fc.oneof({ weight: 6, arbitrary: fc.constant<Entries>([]) }, { weight: 1, arbitrary: withId });
  return fc.oneof({ weight: 12, arbitrary: withId }, { weight: 1, arbitrary: fc.constant<Entries>([]) });
};

const jsonrpcEntries = fc.oneof(
  { weight: 60, arbitrary: fc.constant<Entries>([["jsonrpc", lit("2.0")]]) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>("1.0", 2, null, "2.0 ").map((v): Entries => [["jsonrpc", lit(v)]]) },
  { weight: 1, arbitrary: fc.constant<Entries>([]) },
);

/** `params` as an object (mostly) or something that is not one (arrays, strings, deep nesting). */
const paramsNode = (entries: fc.Arbitrary<Entries>): fc.Arbitrary<Entries> =>
  fc.oneof(
    { weight: 40, arbitrary: fc.tuple(entries, junkEntries(["name", "arguments", "_meta"])).map(([e, junk]): Entries => [["params", obj([...e, ...junk])]]) },
    { weight: 1, arbitrary: fc.constant<Entries>([]) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>([], [1, 2], "params", 0, null).map((v): Entries => [["params", lit(v)]]) },
  );

// Own keys only: odd method names such as "constructor" must not find Object.prototype members.
const paramsFor = (method: string) => (Object.hasOwn(paramsByMethod, method) ? paramsByMethod[method] : genericParams);

/** The 2026 `_meta`: right, or missing a required key, or with a wrong type or version. */
export const modernMeta: fc.Arbitrary<JNode> = fc
  .record({
    version: fc.oneof(
      { weight: 40, arbitrary: fc.constant(lit("2026-07-28")) },
      { weight: 1, arbitrary: fc.constantFrom<unknown>("2025-11-25", "2099-01-01", "v999.0.0", "", 20260728, null).map(lit) },
    ),
    capabilities: fc.oneof(
      { weight: 40, arbitrary: fc.constantFrom<unknown>({}, { elicitation: {} }, { extensions: { "io.modelcontextprotocol/tasks": {} } }, { elicitation: {}, sampling: {}, roots: {}, extensions: { "io.modelcontextprotocol/tasks": {} } }).map(lit) },
      { weight: 1, arbitrary: fc.constantFrom<unknown>(null, [], "all", 1, { tasks: {} }).map(lit) },
      { weight: 1, arbitrary: deepNode },
    ),
    missing: fc.oneof({ weight: 30, arbitrary: fc.constant("none") }, { weight: 1, arbitrary: fc.constantFrom("version", "capabilities") }),
    extra: fc.constantFrom<Entries>(
      [],
      [],
      [],
      [],
      [],
      [],
      [["io.modelcontextprotocol/clientInfo", lit({ name: "fuzz", version: "1" })]],
      [["io.modelcontextprotocol/logLevel", lit("debug")]],
      [["io.modelcontextprotocol/logLevel", lit("loud")]],
      [["progressToken", lit("tok")]],
      [["progressToken", lit(7)]],
      [["traceparent", lit("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")]],
    ),
  })
  .map(({ version, capabilities, missing, extra }) => {
    const entries: Entries = [];
    if (missing !== "version") entries.push(["io.modelcontextprotocol/protocolVersion", version]);
    if (missing !== "capabilities") entries.push(["io.modelcontextprotocol/clientCapabilities", capabilities]);
    return obj([...entries, ...extra]);
  });

/** A 2025-era `_meta` that makes no era claim: progress tokens only. */
const legacyMeta = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<Entries>([], [], [], [["_meta", lit({ progressToken: "p1" })]], [["_meta", lit({ progressToken: 3 })]]) },
  { weight: 1, arbitrary: awkwardNumber.map((n): Entries => [["_meta", obj([["progressToken", n]])]]) },
);

/** One 2025-era JSON-RPC message (request or notification). */
export const legacyMessage: fc.Arbitrary<JNode> = methodFrom(LEGACY_METHODS).chain((method) =>
  fc
    .tuple(jsonrpcEntries, idEntries(method), paramsNode(fc.tuple(paramsFor(method), legacyMeta).map(([p, m]) => [...p, ...m])), junkEntries(["id", "method", "jsonrpc", "params"]))
    .map(([jsonrpc, id, params, junk]) => obj([...jsonrpc, ...id, ["method", lit(method)], ...params, ...junk])),
);

/** One 2026-07-28 message: params carry `_meta`, and input-round fields on the methods that have them. */
export const modernMessage: fc.Arbitrary<JNode> = methodFrom(MODERN_METHODS).chain((method) =>
  fc
    .tuple(jsonrpcEntries, idEntries(method), paramsFor(method), modernMeta, inputRoundEntries, junkEntries(["id", "method", "jsonrpc"]))
    .map(([jsonrpc, id, params, meta, round, junk]) => obj([...jsonrpc, ...id, ["method", lit(method)], ["params", obj([...params, ["_meta", meta], ...round])], ...junk])),
);

/** Capabilities that let every tool go as far as it can: elicitation, sampling, roots and tasks. */
const EVERYTHING = { elicitation: {}, sampling: {}, roots: {}, extensions: { "io.modelcontextprotocol/tasks": {} } };
/** Tools most likely to reach deep machinery with hostile arguments (input rounds, tasks). */
const hostileTarget = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...FIXTURE.askingTools) }, { weight: 2, arbitrary: fc.constantFrom(...FIXTURE.tools) });

/** A well-formed tools/call whose only fault is its arguments, so it reaches the tool; both eras. */
export const hostileCall = (era: "modern" | "legacy"): fc.Arbitrary<JNode> =>
  fc.tuple(hostileTarget, hostileArguments, fc.integer({ min: 1, max: 1_000_000 })).map(([name, args, id]) => {
    const meta: [string, JNode][] = era === "modern" ? [["_meta", lit({ "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": EVERYTHING })]] : [];
    return obj([["jsonrpc", lit("2.0")], ["id", lit(id)], ["method", lit("tools/call")], ["params", obj([["name", lit(name)], ["arguments", args], ...meta])]]);
  });

/** A JSON-RPC response from the "client": answers to server requests nobody asked, and broken ones. */
export const responseMessage: fc.Arbitrary<JNode> = fc
  .tuple(
    fc.oneof(idNode, fc.constantFrom("wisp-abc123-1", "wisp-unknown-99").map(lit)),
    fc.constantFrom<Entries>(
      [["result", lit({})]],
      [["result", lit({ action: "accept", content: { confirm: true } })]],
      [["error", lit({ code: -32601, message: "no" })]],
      [["error", lit({ code: "x" })]],
      [["result", lit({})], ["error", lit({ code: 1, message: "both" })]],
      [],
    ),
  )
  .map(([id, outcome]) => obj([["jsonrpc", lit("2.0")], ["id", id], ...outcome]));

/** A JSON value that is no JSON-RPC message at all: `{"hello":"world"}`, numbers, strings, null. */
export const notAMessage: fc.Arbitrary<JNode> = fc.oneof(
  fc.constantFrom<unknown>({ hello: "world" }, {}, null, 42, "tools/list", true, { jsonrpc: "2.0" }, { method: "tools/list" }, { jsonrpc: "2.0", id: 1 }).map(lit),
  anyJson,
  deepNode,
);

/** Any one message of either era, or a near miss. */
export const anyMessage: fc.Arbitrary<JNode> = fc.oneof(
  { weight: 6, arbitrary: legacyMessage },
  { weight: 6, arbitrary: modernMessage },
  { weight: 1, arbitrary: responseMessage },
  { weight: 1, arbitrary: notAMessage },
);

/** 2025-03-26 batches: empty, small and mixed, or large and uniform. */
export const batch: fc.Arbitrary<JNode> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<JNode>({ t: "arr", items: [] }) },
  { weight: 6, arbitrary: fc.array(fc.oneof({ weight: 6, arbitrary: legacyMessage }, { weight: 1, arbitrary: anyMessage }), { minLength: 1, maxLength: 6 }).map((items): JNode => ({ t: "arr", items })) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 50, max: 1_000 }).map((count): JNode => ({
      t: "arr",
      items: Array.from({ length: count }, (_, i) => obj([["jsonrpc", lit("2.0")], ["id", lit(i)], ["method", lit(i % 3 === 0 ? "ping" : "tools/list")]])),
    })),
  },
);
