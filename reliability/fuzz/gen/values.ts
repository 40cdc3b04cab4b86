/** Small building blocks: header-safe text, ids, numbers and keys that break naive JSON handling. */
import fc from "fast-check";
import { lit } from "../jnode.js";
import type { JNode } from "../model.js";

/**
 * Characters both transports can carry in a header value (HTAB, SP, VCHAR, obs-text). Node's
 * client and the web Headers class refuse the rest before anything is sent, so generating them
 * would only test the client.
 */
const headerChar = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
  { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
  { weight: 1, arbitrary: fc.constant(0x09) },
).map((code) => String.fromCharCode(code));

export const headerText = (maxLength = 40) => fc.string({ unit: headerChar, maxLength });

/** Values that look almost right to a header parser, plus plain noise. */
export const garbageHeaderValue = fc.oneof(
  headerText(),
  fc.constantFrom("", " ", "null", "undefined", "0", "-1", "true", "[]", "{}", "%00", "\t", "=?base64?", "=?base64??=", "=?base64?###?=", "=?BASE64?dG9vbHMvbGlzdA==?=", "=?base64?dG9vbHMvbGlzdA=?="),
  fc.integer({ min: 200, max: 4000 }).map((n) => "a".repeat(n)),
);

/** Numbers JSON allows but JavaScript mangles: overflow, underflow, unsafe integers, negative zero. */
export const awkwardNumber: fc.Arbitrary<JNode> = fc
  .constantFrom("1e400", "-1e400", "123456789012345678901234567890", "9007199254740993", "1e-400", "-0", "0.1", "1E+2", "4.2e1", "-9007199254740993")
  .map((text) => ({ t: "lit", text }));

/** Request ids: valid ones (string, integer) mostly, then everything JSON-RPC forbids. */
export const idNode: fc.Arbitrary<JNode> = fc.oneof(
  { weight: 30, arbitrary: fc.integer({ min: 0, max: 1_000_000 }).map(lit) },
  { weight: 10, arbitrary: fc.string({ maxLength: 12 }).map(lit) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, 1.5, -1, "", {}, [], [1], { id: 1 }).map(lit) },
  { weight: 1, arbitrary: awkwardNumber },
);

/** Keys that reach Object.prototype when code assigns them carelessly. */
export const protoKey = fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "__defineGetter__");

/** A value planted under a prototype key: pollution attempts and plain junk. */
export const protoValue: fc.Arbitrary<JNode> = fc.constantFrom(
  { t: "obj", entries: [["polluted", lit(true)]] } as JNode,
  { t: "obj", entries: [["prototype", { t: "obj", entries: [["polluted", lit(true)]] }]] } as JNode,
  lit(null),
  lit("x"),
  lit([]),
);

/** Very deep JSON, up to ~10 000 levels, mostly shallow enough to pass and sometimes not. */
export const deepNode: fc.Arbitrary<JNode> = fc.record({
  t: fc.constant("deep" as const),
  depth: fc.oneof(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1_000, max: 10_000 }), fc.constant(10_000)),
  shape: fc.constantFrom("obj" as const, "arr" as const, "mixed" as const),
});

/** Any small JSON value, as a node. */
export const anyJson: fc.Arbitrary<JNode> = fc.jsonValue({ maxDepth: 3 }).map(lit);

/** Extra entries appended to an object: prototype keys, and duplicates of the important keys. */
export const junkEntries = (duplicable: readonly string[]): fc.Arbitrary<[string, JNode][]> =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constant<[string, JNode][]>([]) },
    {
      weight: 1,
      arbitrary: fc.array(
        fc.oneof(
          { weight: 2, arbitrary: fc.tuple(protoKey, protoValue) },
          { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...duplicable), anyJson) },
          { weight: 2, arbitrary: fc.tuple(fc.string({ maxLength: 8 }), anyJson) },
        ),
        { minLength: 1, maxLength: 2 },
      ),
    },
  );

/** Raw bytes that are not UTF-8: lone continuation bytes, overlongs, surrogates, truncated sequences. */
export const invalidUtf8: fc.Arbitrary<number[]> = fc.oneof(
  fc.constantFrom<number[]>([0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0xff, 0xfe], [0xf4, 0x90, 0x80, 0x80]),
  fc.array(fc.integer({ min: 0x80, max: 0xff }), { minLength: 1, maxLength: 6 }),
);
