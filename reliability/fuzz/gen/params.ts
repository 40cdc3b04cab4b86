/**
 * `params` for each MCP method: mostly what a real client sends, often subtly wrong (a missing
 * field, a number where a string belongs, an array where an object belongs), sometimes hostile.
 */
import fc from "fast-check";
import { lit, obj } from "../jnode.js";
import type { JNode } from "../model.js";
import { FIXTURE } from "../server.js";
import { anyJson, awkwardNumber, deepNode, idNode, invalidUtf8, protoKey, protoValue } from "./values.js";

type Entries = [string, JNode][];

/** An object whose prototype-named keys break `String(value)` and careless lookups: `{"toString":null}`. */
const protoObject: fc.Arbitrary<JNode> = fc.tuple(protoKey, protoValue).map(([key, value]) => obj([[key, value]]));

/** A field that is right most of the time and otherwise absent, a wrong JSON type, or a hostile object. */
const field = (key: string, good: fc.Arbitrary<JNode>): fc.Arbitrary<Entries> =>
  fc.oneof(
    { weight: 16, arbitrary: good.map((value): Entries => [[key, value]]) },
    { weight: 2, arbitrary: fc.constant<Entries>([]) },
    { weight: 2, arbitrary: anyJson.map((value): Entries => [[key, value]]) },
    { weight: 1, arbitrary: protoObject.map((value): Entries => [[key, value]]) },
  );

const joined = (...parts: fc.Arbitrary<Entries>[]) => fc.tuple(...parts).map((all) => all.flat());

/** A string with a few bytes that are not UTF-8 in the middle. */
const brokenString: fc.Arbitrary<JNode> = fc
  .tuple(fc.string({ maxLength: 4 }), invalidUtf8)
  .map(([prefix, bytes]) => ({ t: "bytes", bytes: [0x22, ...new TextEncoder().encode(prefix), ...bytes, 0x22] }));

const toolName = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...FIXTURE.tools) },
  { weight: 2, arbitrary: fc.constantFrom("", "unknown_tool", "ECHO", "echo ", "__proto__", "constructor", "toString", "a".repeat(300), "é") },
);

/** Arguments no schema expects: 10 000-level nesting, prototype keys, awkward numbers, broken UTF-8. */
export const hostileArguments: fc.Arbitrary<JNode> = fc.oneof(
  { weight: 3, arbitrary: deepNode.map((nested) => obj([["text", lit("deep")], ["nested", nested]])) },
  { weight: 1, arbitrary: deepNode },
  { weight: 1, arbitrary: protoObject },
  { weight: 1, arbitrary: awkwardNumber.map((n) => obj([["a", n], ["b", lit(1)], ["region", n]])) },
  { weight: 1, arbitrary: brokenString.map((text) => obj([["text", text]])) },
);

/** Arguments for a tool: fitting its schema, near misses, wrong shapes, and very deep nesting. */
const toolArguments: fc.Arbitrary<JNode> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<unknown>({ text: "hi" }, { a: 1, b: 2 }, { region: "eu-west" }, {}, { confirm: true }).map(lit) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>({ text: 5 }, { a: "1" }, { region: 42 }, { region: null }, { region: true }, [], "text", null, 7).map(lit) },
  { weight: 2, arbitrary: fc.record({ nested: deepNode }).map(({ nested }) => obj([["text", lit("deep")], ["nested", nested]])) },
  { weight: 1, arbitrary: deepNode },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }).map(lit) },
  { weight: 1, arbitrary: brokenString.map((text) => obj([["text", text]])) },
  { weight: 1, arbitrary: awkwardNumber.map((n) => obj([["a", n], ["b", lit(1)], ["region", n]])) },
);

const uri = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...FIXTURE.resources, "fuzz://items/42", "fuzz://items/%2F..%2F", "fuzz://items/") },
  { weight: 2, arbitrary: fc.constantFrom("fuzz://missing", "file:///etc/passwd", "", "http://127.0.0.1/", "fuzz://items/a/b", "::::") },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
).map(lit);

const promptName = fc.constantFrom(...FIXTURE.prompts, "missing_prompt", "", "__proto__").map(lit);
const cursor = fc.constantFrom("", "x", "eyJvIjoxMDB9", "-1", "999999").map(lit);
const capabilities = fc.constantFrom<unknown>({}, { elicitation: {} }, { sampling: {}, roots: { listChanged: true } }, { elicitation: { form: {}, url: {} } }).map(lit);
const legacyVersion = fc.constantFrom("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28", "1999-01-01", "", "2025-11-25 ").map(lit);
const taskId = fc.oneof(fc.constantFrom("task-unknown", "", "../../etc").map(lit), fc.uuid().map(lit), idNode);

/** The params each method takes, keyed by method name. Methods missing here get generic params. */
export const paramsByMethod: Record<string, fc.Arbitrary<Entries>> = {
  initialize: joined(field("protocolVersion", legacyVersion), field("capabilities", capabilities), field("clientInfo", fc.constant(lit({ name: "fuzz", version: "1" })))),
  "tools/list": joined(fc.option(cursor, { nil: undefined }).map((c): Entries => (c ? [["cursor", c]] : []))),
  "tools/call": joined(field("name", toolName.map(lit)), field("arguments", toolArguments), fc.constantFrom<Entries>([], [], [["task", lit({ ttl: 1000 })]])),
  "resources/list": joined(fc.option(cursor, { nil: undefined }).map((c): Entries => (c ? [["cursor", c]] : []))),
  "resources/read": field("uri", uri),
  "resources/subscribe": field("uri", uri),
  "resources/unsubscribe": field("uri", uri),
  "prompts/get": joined(field("name", promptName), field("arguments", fc.constantFrom<unknown>({ name: "Ada" }, {}, { name: 3 }, [], "x").map(lit))),
  "completion/complete": joined(
    field("ref", fc.constantFrom<unknown>({ type: "ref/prompt", name: "greet" }, { type: "ref/resource", uri: "fuzz://items/{id}" }, { type: "ref/other" }, { type: "ref/prompt" }).map(lit)),
    field("argument", fc.constantFrom<unknown>({ name: "name", value: "A" }, { name: "id", value: "" }, { name: 1 }).map(lit)),
  ),
  "logging/setLevel": field("level", fc.constantFrom("debug", "info", "emergency", "bogus", "INFO", "").map(lit)),
  "notifications/cancelled": joined(field("requestId", idNode), fc.constantFrom<Entries>([], [["reason", lit("fuzz")]])),
  "notifications/progress": joined(field("progressToken", idNode), field("progress", fc.constant(lit(1)))),
  "tasks/get": field("taskId", taskId),
  "tasks/cancel": field("taskId", taskId),
  "tasks/result": field("taskId", taskId),
  "tasks/update": joined(field("taskId", taskId), field("inputResponses", fc.constantFrom<unknown>({ confirm: { action: "accept", content: { confirm: true } } }, {}, null, 5).map(lit))),
  "subscriptions/listen": field("notifications", fc.constantFrom<unknown>({ toolsListChanged: true }, { resourceSubscriptions: ["fuzz://static"] }, {}, { taskIds: ["x"] }, [], "all").map(lit)),
};

/** Params of a method not in the table: nothing, or a little noise. */
export const genericParams: fc.Arbitrary<Entries> = fc.oneof(
  fc.constant<Entries>([]),
  fc.tuple(fc.string({ maxLength: 6 }), anyJson).map(([key, value]): Entries => [[key, value]]),
);

/** Input-round fields a 2026 retry carries (inputResponses, requestState), right and forged. */
export const inputRoundEntries: fc.Arbitrary<Entries> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Entries>([]) },
  { weight: 1, arbitrary: fc.constant<Entries>([["inputResponses", lit({ confirm: { action: "accept", content: { confirm: true } } })]]) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(5, null, [], "x").map((v): Entries => [["inputResponses", lit(v)]]) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>("forged.state", "", ".", "a.b.c", 12, "eyJ4IjoxfQ.AAAA").map((v): Entries => [["requestState", lit(v)]]) },
);
