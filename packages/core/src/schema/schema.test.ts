import { describe, it, expect, expectTypeOf } from "vitest";
import * as v from "valibot";
import { z } from "zod";
import { type } from "arktype";
import {
  MAX_VALUE_DEPTH,
  SchemaError,
  formatIssues,
  isStandardSchema,
  precompile,
  toJsonSchema,
  validate,
  type JsonSchema,
  type SchemaIssue,
} from "./index.js";

// Kept as text so "preserved exactly" can be checked byte for byte, key order included.
const CONFORMANCE_FIXTURE_TEXT =
  '{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","$defs":{"address":{"$anchor":"addressDef","type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}}}},"properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"},"contactMethod":{"type":"string","enum":["phone","email"]},"phone":{"type":"string"},"email":{"type":"string"}},"allOf":[{"anyOf":[{"required":["phone"]},{"required":["email"]}]}],"if":{"properties":{"contactMethod":{"const":"phone"}},"required":["contactMethod"]},"then":{"required":["phone"]},"else":{"required":["email"]},"additionalProperties":false}';

const freshFixture = (): JsonSchema => JSON.parse(CONFORMANCE_FIXTURE_TEXT) as JsonSchema;

async function expectIssues(result: Promise<{ ok: boolean; issues?: SchemaIssue[] }>): Promise<SchemaIssue[]> {
  const settled = await result;
  expect(settled.ok).toBe(false);
  if (settled.ok || settled.issues === undefined) throw new Error("expected validation to fail");
  return settled.issues;
}

function nested(levels: number): unknown {
  let value: unknown = "leaf";
  for (let level = 0; level < levels; level++) value = { child: value };
  return value;
}

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("Standard Schema libraries", () => {
  it("valibot: returns the output with defaults applied", async () => {
    const schema = v.object({ name: v.string(), retries: v.optional(v.number(), 3) });
    const result = await validate(schema, { name: "job" });
    expect(result).toEqual({ ok: true, value: { name: "job", retries: 3 } });
    if (result.ok) expectTypeOf(result.value).toEqualTypeOf<{ name: string; retries: number }>();
  });

  it("valibot: failures carry a JSON Pointer path and the library's message", async () => {
    const schema = v.object({ address: v.object({ city: v.string() }) });
    const issues = await expectIssues(validate(schema, { address: { city: 5 } }));
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe("/address/city");
    expect(issues[0].message).toMatch(/string/i);
  });

  it("zod 4: applies defaults and transforms, reports paths", async () => {
    const schema = z.object({ name: z.string().transform((s) => s.toUpperCase()), count: z.number().default(1) });
    expect(await validate(schema, { name: "ab" })).toEqual({ ok: true, value: { name: "AB", count: 1 } });
    const issues = await expectIssues(validate(schema, { name: 7 }));
    expect(issues.map((issue) => issue.path)).toEqual(["/name"]);
    expect(issues[0].message).toMatch(/expected string/i);
  });

  it("zod 4: async refinements take the async path", async () => {
    const schema = z.object({ id: z.string().refine(async (id) => id.startsWith("u_"), "must start with u_") });
    expect(await validate(schema, { id: "u_1" })).toEqual({ ok: true, value: { id: "u_1" } });
    const issues = await expectIssues(validate(schema, { id: "x" }));
    expect(issues).toEqual([{ path: "/id", message: "must start with u_" }]);
  });

  it("arktype: validates and reports the problem without repeating the path", async () => {
    const schema = type({ name: "string", "age?": "number.integer" });
    expect(await validate(schema, { name: "a", age: 3 })).toEqual({ ok: true, value: { name: "a", age: 3 } });
    const issues = await expectIssues(validate(schema, { name: 1 }));
    expect(issues).toEqual([{ path: "/name", message: "must be a string (was a number)" }]);
  });

  it("recognises Standard Schemas, including callable ones, and nothing else", () => {
    expect(isStandardSchema(v.string())).toBe(true);
    expect(isStandardSchema(z.string())).toBe(true);
    expect(typeof type("string")).toBe("function");
    expect(isStandardSchema(type("string"))).toBe(true);
    expect(isStandardSchema({ type: "object" })).toBe(false);
    expect(isStandardSchema({ "~standard": { version: 2, vendor: "x", validate: () => ({ value: 1 }) } })).toBe(false);
    expect(isStandardSchema(null)).toBe(false);
  });
});

describe("toJsonSchema", () => {
  const expectObjectSchema = (schema: JsonSchema, required: string[]) => {
    expect(schema.type).toBe("object");
    expect(Object.keys(schema.properties as object).sort()).toEqual(["count", "name"]);
    expect(schema.required).toEqual(required);
    // We drop the 2020-12 $schema the libraries add: MCP assumes 2020-12 without it.
    expect(schema).not.toHaveProperty("$schema");
  };

  it("converts valibot (through @valibot/to-json-schema)", () => {
    const schema = v.object({ name: v.string(), count: v.optional(v.number(), 1) });
    const json = toJsonSchema(schema);
    expectObjectSchema(json, ["name"]);
    expect(json.properties).toMatchObject({ name: { type: "string" }, count: { type: "number", default: 1 } });
  });

  it("converts zod 4 (Standard JSON Schema), input and output differ", () => {
    const schema = z.object({ name: z.string(), count: z.number().default(1) });
    expectObjectSchema(toJsonSchema(schema), ["name"]);
    expectObjectSchema(toJsonSchema(schema, { io: "output" }), ["name", "count"]);
  });

  it("converts arktype (Standard JSON Schema)", () => {
    const json = toJsonSchema(type({ name: "string", "count?": "number" }));
    expectObjectSchema(json, ["name"]);
    expect(json.properties).toEqual({ name: { type: "string" }, count: { type: "number" } });
  });

  it("caches per schema object and io", () => {
    for (const schema of [v.object({ name: v.string() }), z.object({ name: z.string() }), type({ name: "string" })]) {
      const first = toJsonSchema(schema);
      expect(toJsonSchema(schema)).toBe(first);
      expect(toJsonSchema(schema, { io: "input" })).toBe(first);
      expect(toJsonSchema(schema, { io: "output" })).toBe(toJsonSchema(schema, { io: "output" }));
    }
    const other = z.object({ name: z.string() });
    expect(toJsonSchema(other)).not.toBe(toJsonSchema(z.object({ name: z.string() })));
  });

  it("returns raw JSON Schema as the same, untouched object", () => {
    const fixture = freshFixture();
    expect(toJsonSchema(fixture)).toBe(fixture);
    expect(toJsonSchema(fixture)).toEqual(JSON.parse(CONFORMANCE_FIXTURE_TEXT));
    expect(JSON.stringify(toJsonSchema(fixture))).toBe(CONFORMANCE_FIXTURE_TEXT);
  });

  it("throws SchemaError naming the vendor when a schema cannot be converted", () => {
    const cases = [
      { vendor: "zod", schema: z.object({ big: z.bigint() }) },
      { vendor: "valibot", schema: v.object({ when: v.date() }) },
    ];
    for (const { vendor, schema } of cases) {
      const error = thrownBy(() => toJsonSchema(schema));
      expect(error).toBeInstanceOf(SchemaError);
      expect((error as SchemaError).name).toBe("SchemaError");
      expect((error as SchemaError).vendor).toBe(vendor);
      expect((error as SchemaError).message).toContain(`cannot convert ${vendor} schema`);
    }
  });

  it("throws for transforms that have no output JSON Schema, but converts their input", () => {
    const schema = z.object({ size: z.string().transform((s) => s.length) });
    expect(toJsonSchema(schema).properties).toEqual({ size: { type: "string" } });
    expect(() => toJsonSchema(schema, { io: "output" })).toThrow(/cannot convert zod schema to JSON Schema \(output\)/);
  });

  it("throws for a Standard Schema library without the JSON Schema interface", () => {
    const handMade = {
      "~standard": { version: 1 as const, vendor: "acme", validate: (value: unknown) => ({ value }) },
    };
    expect(() => toJsonSchema(handMade)).toThrow(SchemaError);
    expect(() => toJsonSchema(handMade)).toThrow(/acme.*Standard JSON Schema interface/);
  });

  it("rejects things that are not schemas", () => {
    expect(() => toJsonSchema(null as unknown as JsonSchema)).toThrow(SchemaError);
    expect(() => toJsonSchema([] as unknown as JsonSchema)).toThrow(/got an array/);
    expect(() => toJsonSchema({ "~standard": { version: 2 } })).toThrow(/not a Standard Schema v1/);
  });
});

describe("raw JSON Schema: conformance fixture", () => {
  it("accepts a valid value and returns it unchanged", async () => {
    const value = { name: "Ada", address: { street: "1 Main", city: "Paris" }, contactMethod: "email", email: "a@b.c" };
    const result = await validate(freshFixture(), value);
    expect(result).toEqual({ ok: true, value });
    if (result.ok) expect(result.value).toBe(value);
  });

  it("fails when neither phone nor email is given", async () => {
    const issues = await expectIssues(validate(freshFixture(), { name: "Ada" }));
    expect(issues).toContainEqual({ path: "", message: "must match at least one of: (phone: required) or (email: required)" });
    expect(issues).toContainEqual({ path: "/email", message: "required" });
  });

  it("enforces if/then/else", async () => {
    const schema = freshFixture();
    // contactMethod "phone" selects "then": phone becomes required even though email satisfies anyOf.
    const thenIssues = await expectIssues(validate(schema, { contactMethod: "phone", email: "a@b.c" }));
    expect(thenIssues).toEqual([{ path: "/phone", message: "required" }]);
    expect((await validate(schema, { contactMethod: "phone", phone: "123" })).ok).toBe(true);
    // Otherwise "else" applies: email is required even though phone satisfies anyOf.
    const elseIssues = await expectIssues(validate(schema, { contactMethod: "email", phone: "123" }));
    expect(elseIssues).toEqual([{ path: "/email", message: "required" }]);
  });

  it("follows local $ref and reports every issue with the offending path", async () => {
    const issues = await expectIssues(
      validate(freshFixture(), { name: 1, address: { city: 5 }, email: "e", contactMethod: "fax", extra: true }),
    );
    expect(issues).toEqual([
      { path: "/name", message: "expected string, received number" },
      { path: "/address/city", message: "expected string, received number" },
      { path: "/contactMethod", message: 'must be one of ["phone","email"]' },
      { path: "/extra", message: "unexpected property" },
    ]);
    expect(formatIssues(issues)).toBe(
      'name: expected string, received number; address/city: expected string, received number; contactMethod: must be one of ["phone","email"]; extra: unexpected property',
    );
  });

  it("leaves the caller's schema byte-for-byte intact after compiling and validating", async () => {
    const fixture = freshFixture();
    await validate(fixture, { name: "Ada", email: "a@b.c" });
    await validate(fixture, { name: 1 });
    expect(JSON.stringify(fixture)).toBe(CONFORMANCE_FIXTURE_TEXT);
    // The validator tags subschemas with hidden properties; none may land on the caller's object.
    const defs = fixture.$defs as Record<string, object>;
    expect(Object.getOwnPropertyNames(fixture)).toEqual(Object.keys(JSON.parse(CONFORMANCE_FIXTURE_TEXT)));
    expect(Object.getOwnPropertyNames(defs.address)).toEqual(["$anchor", "type", "properties"]);
    expect(JSON.stringify(toJsonSchema(fixture))).toBe(CONFORMANCE_FIXTURE_TEXT);
  });

  it("resolves $anchor references", async () => {
    const schema = { $defs: { n: { $anchor: "num", type: "number" } }, type: "object", properties: { x: { $ref: "#num" } } };
    expect((await validate(schema, { x: 1 })).ok).toBe(true);
    expect(await expectIssues(validate(schema, { x: "1" }))).toEqual([
      { path: "/x", message: "expected number, received string" },
    ]);
  });
});

describe("raw JSON Schema: compiling", () => {
  it("treats a schema without $schema as 2020-12 and accepts 2019-09 and draft-07", async () => {
    // Keywords beside $ref are ignored in draft-07 but apply from 2019-09 on, which shows
    // which dialect actually ran.
    const refWithSibling = { definitions: { s: { type: "string" } }, $ref: "#/definitions/s", minLength: 3 };
    expect(await expectIssues(validate(refWithSibling, "ab"))).toEqual([{ path: "", message: "String is too short (2 < 3)" }]);
    const draft07 = { $schema: "http://json-schema.org/draft-07/schema#", ...refWithSibling };
    expect(await validate(draft07, "ab")).toEqual({ ok: true, value: "ab" });
    expect((await validate(draft07, 1)).ok).toBe(false);
    for (const $schema of ["https://json-schema.org/draft/2019-09/schema", "http://json-schema.org/draft-07/schema#"]) {
      const schema = { $schema, type: "object", required: ["a"] };
      expect((await validate(schema, { a: 1 })).ok).toBe(true);
      expect(await expectIssues(validate(schema, {}))).toEqual([{ path: "/a", message: "required" }]);
    }
  });

  it("rejects other dialects", async () => {
    for (const $schema of ["http://json-schema.org/draft-04/schema#", "https://example.com/my-dialect", 7]) {
      await expect(validate({ $schema, type: "object" }, {})).rejects.toThrow(SchemaError);
      await expect(validate({ $schema, type: "object" }, {})).rejects.toThrow(/unsupported JSON Schema dialect/);
    }
  });

  it("rejects external $refs at compile time and fetches nothing", async () => {
    const external = [
      { type: "object", properties: { a: { $ref: "https://example.com/a.json" } } },
      { allOf: [{ $ref: "other.json#/$defs/x" }] },
      { $defs: { const: { $ref: "relative.json" } } },
    ];
    for (const schema of external) {
      await expect(validate(schema, {})).rejects.toThrow(/external \$ref .* is not resolved; only local references are supported/);
      expect(() => precompile(schema)).toThrow(SchemaError);
    }
  });

  it("does not mistake data or property names for references", async () => {
    const schema = {
      type: "object",
      properties: { $ref: { type: "string" }, link: { const: { $ref: "https://example.com" } } },
      default: { $ref: "https://example.com" },
      examples: [{ $ref: "x.json" }],
    };
    expect((await validate(schema, { $ref: "x", link: { $ref: "https://example.com" } })).ok).toBe(true);
  });

  it("reports a dangling local $ref as a SchemaError, not as a value problem", async () => {
    await expect(validate({ $ref: "#/$defs/missing" }, 1)).rejects.toThrow(/could not be evaluated: Unresolved \$ref/);
  });

  it("reports a schema only the validator can refuse (a duplicate $id) as a SchemaError on first use", async () => {
    const schema = { $defs: { a: { $id: "https://x.test/a" }, b: { $id: "https://x.test/a" } } };
    expect(() => precompile(schema)).not.toThrow(); // the checks that run at registration pass
    await expect(validate(schema, {})).rejects.toThrow(/invalid JSON Schema: Duplicate schema URI/);
  });

  it("compiles once per schema object: later edits to the caller's object are not seen", async () => {
    const schema: JsonSchema = { type: "object", required: ["a"] };
    expect((await validate(schema, {})).ok).toBe(false);
    schema.required = [];
    expect((await validate(schema, {})).ok).toBe(false);
    expect((await validate({ ...schema }, {})).ok).toBe(true);
  });

  it("explains anyOf and oneOf failures as a choice", async () => {
    const oneOf = { oneOf: [{ type: "string" }, { type: "number" }, { type: "integer" }] };
    expect(await expectIssues(validate(oneOf, true))).toEqual([
      {
        path: "",
        message:
          "must match exactly one of: (expected string, received boolean) or (expected number, received boolean) or (expected integer, received boolean)",
      },
    ]);
    expect(await expectIssues(validate(oneOf, 3))).toEqual([
      { path: "", message: "matches 2 alternatives but must match exactly one" },
    ]);
  });

  it("reports JSON Pointer paths with escaping for awkward keys and array indexes", async () => {
    const schema = {
      type: "object",
      properties: { "a/b c": { type: "array", items: { type: "string" } } },
      additionalProperties: false,
    };
    const issues = await expectIssues(validate(schema, { "a/b c": ["ok", 2], "x~y": 1 }));
    expect(issues).toEqual([
      { path: "/a~1b c/1", message: "expected string, received number" },
      { path: "/x~0y", message: "unexpected property" },
    ]);
  });
});

describe("bounded work", () => {
  const schemas = { "raw JSON Schema": { type: "object" }, zod: z.looseObject({}), valibot: v.looseObject({}) };

  for (const [label, schema] of Object.entries(schemas)) {
    it(`${label}: accepts ${MAX_VALUE_DEPTH} levels and rejects deeper values`, async () => {
      expect((await validate(schema, nested(MAX_VALUE_DEPTH))).ok).toBe(true);
      expect(await expectIssues(validate(schema, nested(MAX_VALUE_DEPTH + 1)))).toEqual([
        { path: "", message: "value nested too deeply (more than 64 levels)" },
      ]);
    });
  }

  it("rejects deep arrays and cyclic values instead of recursing forever", async () => {
    let deepArray: unknown = [];
    for (let level = 0; level < 1000; level++) deepArray = [deepArray];
    expect((await validate({}, deepArray)).ok).toBe(false);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const issues = await expectIssues(validate({ type: "object" }, cyclic));
    expect(issues[0].message).toMatch(/nested too deeply/);
  });
});

describe("formatIssues", () => {
  it("joins issues, naming the path without its leading slash and leaving root issues bare", () => {
    expect(
      formatIssues([
        { path: "/address/city", message: "Expected string, received number" },
        { path: "/name", message: "required" },
        { path: "", message: "must be an object" },
      ]),
    ).toBe("address/city: Expected string, received number; name: required; must be an object");
    expect(formatIssues([])).toBe("");
  });
});

describe("type inference", () => {
  it("infers output for Standard Schemas and a record for raw JSON Schema", async () => {
    const fromZod = await validate(z.object({ n: z.number().default(1) }), {});
    if (fromZod.ok) expectTypeOf(fromZod.value).toEqualTypeOf<{ n: number }>();
    const fromArk = await validate(type({ name: "string", "tags?": "string[]" }), { name: "a" });
    if (fromArk.ok) expectTypeOf(fromArk.value).toEqualTypeOf<{ name: string; tags?: string[] }>();
    const fromRaw = await validate({ type: "object" }, {});
    if (fromRaw.ok) expectTypeOf(fromRaw.value).toEqualTypeOf<Record<string, unknown>>();
    expect(fromZod.ok && fromArk.ok && fromRaw.ok).toBe(true);
  });
});
