/**
 * Whole requests (HTTP method, path, session, headers, body) and short sequences, weighted so
 * that most traffic is nearly right: a fuzzer that only sends noise never gets past the parser.
 */
import fc from "fast-check";
import type { BodyPlan, HttpMethod, JNode, Plan, RequestPlan, SessionRef } from "../model.js";
import { headersPlan } from "./headers.js";
import { anyMessage, batch, hostileCall, legacyMessage, modernMessage, notAMessage, responseMessage } from "./messages.js";
import { deepNode, garbageHeaderValue, invalidUtf8 } from "./values.js";

const path = fc.oneof(
  { weight: 100, arbitrary: fc.constant("/mcp") },
  {
    weight: 3,
    arbitrary: fc.constantFrom("/mcp?x=1", "/", "/mcp/", "/MCP", "/other", "/%2e%2e/mcp", "/mcp;x", "/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"),
  },
);

const sessionFrom = (weights: Partial<Record<"none" | "live" | "live-0326" | "live-elicit" | "own" | "deleted" | "unknown" | "lit", number>>) =>
  fc.oneof(
    ...Object.entries(weights).map(([ref, weight]) => ({
      weight: weight!,
      arbitrary: ref === "lit" ? garbageHeaderValue.map((lit): SessionRef => ({ lit })) : fc.constant(ref as SessionRef),
    })),
  );

const json = (node: fc.Arbitrary<JNode>): fc.Arbitrary<BodyPlan> =>
  fc.tuple(node, fc.integer({ min: 0, max: 60 })).map(([n, roll]): BodyPlan => ({ kind: "json", node: n, bom: roll === 0 }));

/** Bodies that are not a message: cut short, not JSON, not UTF-8, absurdly deep, or too large. */
const brokenBody: fc.Arbitrary<BodyPlan> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(anyMessage, fc.double({ min: 0.05, max: 0.95, noNaN: true })).map(([node, keep]): BodyPlan => ({ kind: "truncated", node, keep })) },
  { weight: 3, arbitrary: fc.oneof(fc.constantFrom("", " ", "{", "[", "]", "{}}", "nul", "\u0000", '{"jsonrpc":"2.0",', "'single'", "NaN", "{\"a\":1,}", "\uFEFF"), fc.string({ maxLength: 30 })).map((text): BodyPlan => ({ kind: "text", text })) },
  { weight: 3, arbitrary: json(notAMessage) },
  { weight: 2, arbitrary: invalidUtf8.map((bytes): BodyPlan => ({ kind: "json", node: { t: "bytes", bytes } })) },
  { weight: 2, arbitrary: json(deepNode) },
  { weight: 2, arbitrary: json(fc.tuple(deepNode).map(([deep]): JNode => ({ t: "obj", entries: [["jsonrpc", { t: "lit", text: '"2.0"' }], ["id", deep], ["method", { t: "lit", text: '"tools/list"' }]] }))) },
  { weight: 2, arbitrary: json(fc.tuple(deepNode).map(([deep]): JNode => ({ t: "obj", entries: [["jsonrpc", { t: "lit", text: '"2.0"' }], ["id", { t: "lit", text: "1" }], ["method", { t: "lit", text: '"tools/list"' }], ["params", { t: "obj", entries: [["_meta", deep]] }]] }))) },
);

/** Rare: a 1 MiB body costs the same on every run. */
const oversize: fc.Arbitrary<BodyPlan> = fc.integer({ min: 1_048_577, max: 1_100_000 }).map((bytes): BodyPlan => ({ kind: "oversize", bytes }));

const post = (session: fc.Arbitrary<SessionRef>, flavour: "modern" | "legacy", body: fc.Arbitrary<BodyPlan>): fc.Arbitrary<RequestPlan> =>
  fc.record({ method: fc.constant<HttpMethod>("POST"), path, session, headers: headersPlan(flavour), body });

const modernPost = post(sessionFrom({ none: 20, live: 1, unknown: 1, lit: 1 }), "modern", json(modernMessage));
const legacyPost = post(sessionFrom({ live: 10, "live-elicit": 3, "live-0326": 3, own: 2, none: 2, deleted: 1, unknown: 1, lit: 1 }), "legacy", json(legacyMessage));
const hostileModern = post(fc.constant<SessionRef>("none"), "modern", json(hostileCall("modern")));
const hostileLegacy = post(fc.constantFrom<SessionRef>("live-elicit", "live", "live-0326"), "legacy", json(hostileCall("legacy")));
const batchPost = post(sessionFrom({ "live-0326": 6, live: 2, none: 1, unknown: 1 }), "legacy", json(batch));
const replyPost = post(sessionFrom({ live: 4, "live-elicit": 1, none: 1 }), "legacy", json(responseMessage));
const brokenPost = fc.oneof(
  post(sessionFrom({ none: 3, live: 3, unknown: 1 }), "legacy", brokenBody),
  post(sessionFrom({ none: 3, live: 1 }), "modern", brokenBody),
);
const oversizePost = post(sessionFrom({ none: 1, live: 1 }), "legacy", oversize);

const get: fc.Arbitrary<RequestPlan> = fc.record({
  method: fc.constant<HttpMethod>("GET"),
  path,
  session: sessionFrom({ live: 6, own: 3, deleted: 1, unknown: 1, none: 1, lit: 1 }),
  headers: headersPlan("get"),
  body: fc.constant<BodyPlan>({ kind: "none" }),
});

const del: fc.Arbitrary<RequestPlan> = fc.record({
  method: fc.constant<HttpMethod>("DELETE"),
  path,
  session: sessionFrom({ own: 6, deleted: 2, unknown: 1, none: 1, lit: 1 }),
  headers: headersPlan("legacy"),
  body: fc.constantFrom<BodyPlan>({ kind: "none" }, { kind: "none" }, { kind: "text", text: "{}" }),
});

/** Methods no MCP endpoint serves, and CORS preflights. */
const otherMethod: fc.Arbitrary<RequestPlan> = fc.record({
  method: fc.constantFrom<HttpMethod>("PUT", "PATCH", "HEAD", "OPTIONS"),
  path,
  session: sessionFrom({ none: 3, live: 1 }),
  headers: headersPlan("other"),
  body: fc.oneof(fc.constant<BodyPlan>({ kind: "none" }), json(anyMessage)),
});

/**
 * Sequences on one session made for the plan: calls before `notifications/initialized`, after
 * DELETE, replies and cancellations nobody asked for, resumption with a stranger's Last-Event-ID.
 */
const ownStep: fc.Arbitrary<RequestPlan> = fc.oneof(
  { weight: 3, arbitrary: post(fc.constant<SessionRef>("own"), "legacy", json(legacyMessage)) },
  { weight: 2, arbitrary: del.map((step) => ({ ...step, session: "own" as SessionRef })) },
  { weight: 2, arbitrary: get.map((step) => ({ ...step, session: "own" as SessionRef })) },
  { weight: 1, arbitrary: post(fc.constant<SessionRef>("own"), "legacy", json(responseMessage)) },
);
const sequence: fc.Arbitrary<Plan> = fc.array(ownStep, { minLength: 2, maxLength: 4 }).map((steps) => ({ label: "sequence", steps }));

const single = (label: string, request: fc.Arbitrary<RequestPlan>): fc.Arbitrary<Plan> => request.map((step) => ({ label, steps: [step] }));

/** Everything the fuzzer sends, by share of traffic. */
export const planArbitrary: fc.Arbitrary<Plan> = fc.oneof(
  { weight: 30, arbitrary: single("modern", modernPost) },
  { weight: 30, arbitrary: single("legacy", legacyPost) },
  { weight: 4, arbitrary: single("hostile-modern", hostileModern) },
  { weight: 2, arbitrary: single("hostile-legacy", hostileLegacy) },
  { weight: 5, arbitrary: single("batch", batchPost) },
  { weight: 3, arbitrary: single("reply", replyPost) },
  { weight: 12, arbitrary: fc.oneof({ weight: 200, arbitrary: single("broken", brokenPost) }, { weight: 1, arbitrary: single("oversize", oversizePost) }) },
  { weight: 5, arbitrary: single("get", get) },
  { weight: 3, arbitrary: single("delete", del) },
  { weight: 3, arbitrary: single("other-method", otherMethod) },
  { weight: 6, arbitrary: sequence },
);
