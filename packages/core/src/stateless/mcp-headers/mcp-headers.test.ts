import { describe, expect, it } from "vitest";
import { paramHeaderSpecs, type ParamHeaderSpec } from "../../server/param-headers.js";
import { checkParamHeaders, checkStandardHeaders, nameFieldFor } from "./checks.js";
import { decodeHeaderValue } from "./value.js";

/** A header lookup over a plain record, case-insensitive like `Headers.get`. */
const headersOf = (record: Record<string, string>) => {
  const headers = new Headers(record);
  return (lowerName: string) => headers.get(lowerName);
};

/** The `sep-2243` suggested fixture: `test_headers {region: string, x-mcp-header "Region"}`. */
const regionSchema = {
  type: "object",
  properties: { region: { type: "string", "x-mcp-header": "Region" } },
  required: ["region"],
};
const regionSpecs = () => paramHeaderSpecs(regionSchema, "test_headers");

const b64 = (text: string) => `=?base64?${btoa(String.fromCharCode(...new TextEncoder().encode(text)))}?=`;

describe("decodeHeaderValue", () => {
  it("passes a plain value through", () => {
    expect(decodeHeaderValue("us-west1")).toEqual({ ok: true, value: "us-west1" });
  });

  it("trims SP and HTAB around the value, but not inside it", () => {
    expect(decodeHeaderValue(" \t a b \t ")).toEqual({ ok: true, value: "a b" });
  });

  it("does not trim other whitespace (NBSP is a literal character)", () => {
    expect(decodeHeaderValue("\u00a0x")).toEqual({ ok: true, value: "\u00a0x" });
  });

  it("decodes the base64 sentinel", () => {
    expect(decodeHeaderValue("=?base64?SGVsbG8=?=")).toEqual({ ok: true, value: "Hello" });
  });

  it("decodes the sentinel after trimming whitespace around it", () => {
    expect(decodeHeaderValue("  =?base64?SGVsbG8=?=\t")).toEqual({ ok: true, value: "Hello" });
  });

  it("decodes UTF-8 payloads", () => {
    expect(decodeHeaderValue("=?base64?WsO8cmljaA==?=")).toEqual({ ok: true, value: "Zürich" });
    expect(decodeHeaderValue(b64("東京 🚀"))).toEqual({ ok: true, value: "東京 🚀" });
  });

  it("keeps whitespace and a BOM that are inside the encoded value", () => {
    expect(decodeHeaderValue(b64("  padded  "))).toEqual({ ok: true, value: "  padded  " });
    expect(decodeHeaderValue(b64("\ufeffbom"))).toEqual({ ok: true, value: "\ufeffbom" });
  });

  it("decodes an empty payload to the empty string", () => {
    expect(decodeHeaderValue("=?base64??=")).toEqual({ ok: true, value: "" });
  });

  it("rejects missing padding", () => {
    expect(decodeHeaderValue("=?base64?SGVsbG8?=")).toMatchObject({ ok: false, reason: expect.stringContaining("padding") });
  });

  it("rejects characters outside the standard alphabet", () => {
    expect(decodeHeaderValue("=?base64?SGVs!!!bG8=?=").ok).toBe(false);
    expect(decodeHeaderValue("=?base64?SGVsbG8-?=").ok).toBe(false); // base64url
    expect(decodeHeaderValue("=?base64?SGVs bG8=?=").ok).toBe(false); // inner space, which atob would skip
  });

  it("rejects misplaced or excess padding", () => {
    expect(decodeHeaderValue("=?base64?SG=sbG8=?=").ok).toBe(false);
    expect(decodeHeaderValue("=?base64?SGVsbG8===?=").ok).toBe(false);
    expect(decodeHeaderValue("=?base64?====?=").ok).toBe(false);
  });

  it("rejects non-canonical trailing bits", () => {
    expect(decodeHeaderValue("=?base64?SGVsbG9=?=").ok).toBe(false); // would decode to "Hello" leniently
    expect(decodeHeaderValue("=?base64?QR==?=").ok).toBe(false);
    expect(decodeHeaderValue("=?base64?QQ==?=")).toEqual({ ok: true, value: "A" });
  });

  it("rejects a payload that is not UTF-8", () => {
    expect(decodeHeaderValue("=?base64?/w==?=")).toMatchObject({ ok: false, reason: expect.stringContaining("UTF-8") }); // 0xFF
    expect(decodeHeaderValue("=?base64?wyg=?=").ok).toBe(false); // truncated 2-byte sequence
  });

  it("treats a value without the full wrapper as literal", () => {
    expect(decodeHeaderValue("SGVsbG8=")).toEqual({ ok: true, value: "SGVsbG8=" });
    expect(decodeHeaderValue("=?base64?SGVsbG8=")).toEqual({ ok: true, value: "=?base64?SGVsbG8=" });
    expect(decodeHeaderValue("SGVsbG8=?=")).toEqual({ ok: true, value: "SGVsbG8=?=" });
    expect(decodeHeaderValue("=?base64?=")).toEqual({ ok: true, value: "=?base64?=" }); // markers overlap
  });

  it("matches the markers case-sensitively", () => {
    expect(decodeHeaderValue("=?BASE64?SGVsbG8=?=")).toEqual({ ok: true, value: "=?BASE64?SGVsbG8=?=" });
    expect(decodeHeaderValue("=?Base64?!!!?=")).toEqual({ ok: true, value: "=?Base64?!!!?=" });
  });

  it("rejects control characters other than HTAB, and DEL", () => {
    expect(decodeHeaderValue("a\u0000b").ok).toBe(false);
    expect(decodeHeaderValue("a\r\nb").ok).toBe(false);
    expect(decodeHeaderValue("a\u007fb").ok).toBe(false);
    expect(decodeHeaderValue("a\u0100b").ok).toBe(false); // not a byte at all
    expect(decodeHeaderValue("a\tb")).toEqual({ ok: true, value: "a\tb" });
  });
});

describe("nameFieldFor", () => {
  it.each([
    ["tools/call", "name"],
    ["prompts/get", "name"],
    ["resources/read", "uri"],
    ["tasks/get", "taskId"],
    ["tasks/update", "taskId"],
    ["tasks/cancel", "taskId"],
    ["tools/list", undefined],
    ["resources/subscribe", undefined],
    ["Tools/Call", undefined],
  ])("%s → %s", (method, field) => {
    expect(nameFieldFor(method)).toBe(field);
  });
});

describe("checkStandardHeaders (http-header-validation)", () => {
  const toolCall = { name: "test_simple_text", arguments: {} };

  it("accepts a matching Mcp-Method on a method without a name", () => {
    expect(checkStandardHeaders("tools/list", {}, headersOf({ "Mcp-Method": "tools/list" }))).toBeNull();
  });

  it("accepts any spelling of the header name", () => {
    expect(checkStandardHeaders("tools/list", {}, headersOf({ "mcp-method": "tools/list" }))).toBeNull();
    expect(checkStandardHeaders("tools/list", {}, headersOf({ "MCP-METHOD": "tools/list" }))).toBeNull();
  });

  it("rejects an Mcp-Method that names another method", () => {
    expect(checkStandardHeaders("tools/list", {}, headersOf({ "Mcp-Method": "prompts/list" }))).toBe(
      'Mcp-Method header "prompts/list" does not match the body method "tools/list"',
    );
  });

  it("rejects a missing Mcp-Method", () => {
    expect(checkStandardHeaders("tools/list", {}, headersOf({}))).toMatch(/Mcp-Method header is required/);
  });

  it("compares the Mcp-Method value case-sensitively", () => {
    expect(checkStandardHeaders("tools/list", {}, headersOf({ "Mcp-Method": "TOOLS/LIST" }))).toMatch(/does not match/);
  });

  it("accepts a tools/call whose Mcp-Name matches params.name", () => {
    expect(checkStandardHeaders("tools/call", toolCall, headersOf({ "Mcp-Method": "tools/call", "Mcp-Name": "test_simple_text" }))).toBeNull();
  });

  it("trims whitespace around Mcp-Name", () => {
    // Headers would strip this itself, so pass the raw padded value straight through.
    const header = (name: string) => ({ "mcp-method": "tools/call", "mcp-name": "  test_simple_text  " })[name] ?? null;
    expect(checkStandardHeaders("tools/call", toolCall, header)).toBeNull();
  });

  it("rejects a tools/call without Mcp-Name", () => {
    expect(checkStandardHeaders("tools/call", toolCall, headersOf({ "Mcp-Method": "tools/call" }))).toBe("Mcp-Name header is required for tools/call");
  });

  it("rejects a wrong Mcp-Name", () => {
    expect(checkStandardHeaders("tools/call", toolCall, headersOf({ "Mcp-Method": "tools/call", "Mcp-Name": "wrong_tool_name" }))).toBe(
      'Mcp-Name header "wrong_tool_name" does not match the body params.name "test_simple_text"',
    );
  });

  it("compares Mcp-Name case-sensitively", () => {
    expect(checkStandardHeaders("tools/call", toolCall, headersOf({ "Mcp-Method": "tools/call", "Mcp-Name": "TEST_SIMPLE_TEXT" }))).toMatch(/does not match/);
  });

  it("checks Mcp-Method before Mcp-Name", () => {
    expect(checkStandardHeaders("tools/call", toolCall, headersOf({ "Mcp-Method": "tools/list" }))).toMatch(/^Mcp-Method/);
  });

  it("mirrors params.uri for resources/read, decoding base64", () => {
    const params = { uri: "file:///Zürich/ü.txt" };
    expect(checkStandardHeaders("resources/read", params, headersOf({ "Mcp-Method": "resources/read", "Mcp-Name": b64(params.uri) }))).toBeNull();
    expect(checkStandardHeaders("resources/read", params, headersOf({ "Mcp-Method": "resources/read", "Mcp-Name": "file:///other" }))).toMatch(
      /params\.uri/,
    );
  });

  it("mirrors params.name for prompts/get", () => {
    expect(checkStandardHeaders("prompts/get", { name: "greet" }, headersOf({ "Mcp-Method": "prompts/get" }))).toBe("Mcp-Name header is required for prompts/get");
    expect(checkStandardHeaders("prompts/get", { name: "greet" }, headersOf({ "Mcp-Method": "prompts/get", "Mcp-Name": "greet" }))).toBeNull();
  });

  it("mirrors params.taskId for tasks/get, tasks/update and tasks/cancel", () => {
    for (const method of ["tasks/get", "tasks/update", "tasks/cancel"]) {
      expect(checkStandardHeaders(method, { taskId: "t-1" }, headersOf({ "Mcp-Method": method, "Mcp-Name": "t-1" }))).toBeNull();
      expect(checkStandardHeaders(method, { taskId: "t-1" }, headersOf({ "Mcp-Method": method, "Mcp-Name": "t-2" }))).toMatch(/params\.taskId/);
      expect(checkStandardHeaders(method, { taskId: "t-1" }, headersOf({ "Mcp-Method": method }))).toMatch(/required/);
    }
  });

  it("does not require Mcp-Name where there is no name field", () => {
    expect(checkStandardHeaders("resources/list", undefined, headersOf({ "Mcp-Method": "resources/list", "Mcp-Name": "anything" }))).toBeNull();
  });

  it("rejects an Mcp-Name with a broken encoding even when the body is fine", () => {
    expect(checkStandardHeaders("tools/call", toolCall, headersOf({ "Mcp-Method": "tools/call", "Mcp-Name": "=?base64?dGVzdA?=" }))).toMatch(
      /Mcp-Name header is invalid/,
    );
  });

  it("only requires presence when the body has no usable name (params validation reports that)", () => {
    expect(checkStandardHeaders("tools/call", {}, headersOf({ "Mcp-Method": "tools/call", "Mcp-Name": "x" }))).toBeNull();
    expect(checkStandardHeaders("tools/call", undefined, headersOf({ "Mcp-Method": "tools/call" }))).toMatch(/required/);
  });
});

describe("paramHeaderSpecs", () => {
  it("finds a top-level annotation", () => {
    expect(regionSpecs()).toEqual([{ header: "Region", lower: "mcp-param-region", path: ["region"], type: "string" }]);
  });

  it("returns an empty array when nothing is annotated", () => {
    expect(paramHeaderSpecs({ type: "object", properties: { a: { type: "string" } } }, "t")).toEqual([]);
    expect(paramHeaderSpecs({ type: "object" }, "t")).toEqual([]);
  });

  it("follows nested properties chains", () => {
    const schema = {
      type: "object",
      properties: {
        location: {
          type: "object",
          properties: {
            region: { type: "string", "x-mcp-header": "Region" },
            zone: { type: "object", properties: { id: { type: "integer", "x-mcp-header": "Zone-Id" } } },
          },
        },
        dryRun: { type: "boolean", "x-mcp-header": "Dry_Run" },
      },
    };
    expect(paramHeaderSpecs(schema, "t")).toEqual([
      { header: "Region", lower: "mcp-param-region", path: ["location", "region"], type: "string" },
      { header: "Zone-Id", lower: "mcp-param-zone-id", path: ["location", "zone", "id"], type: "integer" },
      { header: "Dry_Run", lower: "mcp-param-dry_run", path: ["dryRun"], type: "boolean" },
    ]);
  });

  it("accepts every RFC 9110 tchar", () => {
    const name = "!#$%&'*+-.^_`|~09azAZ";
    expect(paramHeaderSpecs({ properties: { a: { type: "string", "x-mcp-header": name } } }, "t")[0].lower).toBe(`mcp-param-${name.toLowerCase()}`);
  });

  it("accepts a nullable primitive type array", () => {
    expect(paramHeaderSpecs({ properties: { a: { type: ["integer", "null"], "x-mcp-header": "A" } } }, "t")[0].type).toBe("integer");
  });

  it("treats a property literally named x-mcp-header as a property, not an annotation", () => {
    expect(paramHeaderSpecs({ properties: { "x-mcp-header": { type: "string" } } }, "t")).toEqual([]);
  });

  it("ignores the annotation key inside data keywords", () => {
    expect(paramHeaderSpecs({ properties: { a: { type: "object", default: { "x-mcp-header": "A" }, examples: [{ "x-mcp-header": "B" }] } } }, "t")).toEqual([]);
  });

  describe("rejects at registration", () => {
    const annotated = (extra: Record<string, unknown>) => ({ type: "object", properties: { p: { type: "string", ...extra } } });

    it.each([
      ["an empty value", annotated({ "x-mcp-header": "" }), /non-empty/],
      ["a non-string value", annotated({ "x-mcp-header": 42 }), /non-empty string/],
      ["a null value", annotated({ "x-mcp-header": null }), /non-empty string/],
      ["a space", annotated({ "x-mcp-header": "My Region" }), /token/],
      ["a colon", annotated({ "x-mcp-header": "Region:" }), /token/],
      ["a non-ASCII character", annotated({ "x-mcp-header": "Régión" }), /token/],
      ["a control character", annotated({ "x-mcp-header": "Reg\nion" }), /token/],
      ["a separator", annotated({ "x-mcp-header": "a/b" }), /token/],
    ])("%s", (_label, schema, message) => {
      expect(() => paramHeaderSpecs(schema, "bad_tool")).toThrow(TypeError);
      expect(() => paramHeaderSpecs(schema, "bad_tool")).toThrow(message);
    });

    it("names the tool and the location", () => {
      expect(() => paramHeaderSpecs(annotated({ "x-mcp-header": "a b" }), "bad_tool")).toThrow('Tool "bad_tool": x-mcp-header at #/properties/p');
    });

    it("a case-insensitive duplicate", () => {
      const schema = {
        properties: {
          a: { type: "string", "x-mcp-header": "Region" },
          b: { type: "object", properties: { c: { type: "string", "x-mcp-header": "REGION" } } },
        },
      };
      expect(() => paramHeaderSpecs(schema, "t")).toThrow(/duplicates the annotation at #\/properties\/a/);
    });

    it.each([["number"], ["object"], ["array"], ["null"]])("type %s", (type) => {
      expect(() => paramHeaderSpecs({ properties: { p: { type, "x-mcp-header": "P" } } }, "t")).toThrow(/only allowed on string, integer or boolean/);
    });

    it.each([
      ["a missing type", {}],
      ["a multi-type array", { type: ["string", "integer"] }],
      ["a type array with number", { type: ["number", "null"] }],
    ])("%s", (_label, extra) => {
      expect(() => paramHeaderSpecs({ properties: { p: { ...extra, "x-mcp-header": "P" } } }, "t")).toThrow(/only allowed on/);
    });

    it("the schema root itself", () => {
      expect(() => paramHeaderSpecs({ type: "string", "x-mcp-header": "Root" }, "t")).toThrow(/through `properties` only/);
    });

    const leaf = { type: "string", "x-mcp-header": "Hidden" };
    it.each([
      ["items", { properties: { list: { type: "array", items: leaf } } }],
      ["items (array form)", { properties: { list: { type: "array", items: [leaf] } } }],
      ["prefixItems", { properties: { list: { type: "array", prefixItems: [leaf] } } }],
      ["contains", { properties: { list: { type: "array", contains: leaf } } }],
      ["items → properties", { properties: { list: { type: "array", items: { type: "object", properties: { x: leaf } } } } }],
      ["allOf", { allOf: [{ properties: { x: leaf } }] }],
      ["anyOf", { properties: { x: { anyOf: [leaf, { type: "integer" }] } } }],
      ["oneOf", { oneOf: [{ properties: { x: leaf } }] }],
      ["not", { not: { properties: { x: leaf } } }],
      ["if", { if: { properties: { x: leaf } } }],
      ["then", { then: { properties: { x: leaf } } }],
      ["else", { else: { properties: { x: leaf } } }],
      ["$defs (reached through $ref)", { properties: { x: { $ref: "#/$defs/X" } }, $defs: { X: leaf } }],
      ["definitions", { properties: { x: { $ref: "#/definitions/X" } }, definitions: { X: leaf } }],
      ["patternProperties", { patternProperties: { "^x": leaf } }],
      ["additionalProperties", { additionalProperties: leaf }],
      ["unevaluatedProperties", { unevaluatedProperties: leaf }],
      ["propertyNames", { propertyNames: leaf }],
      ["dependentSchemas", { dependentSchemas: { a: { properties: { x: leaf } } } }],
      ["properties under a composition", { properties: { o: { type: "object", allOf: [{ properties: { x: leaf } }] } } }],
    ])("an annotation under %s", (_label, schema) => {
      expect(() => paramHeaderSpecs({ type: "object", ...schema }, "t")).toThrow(/through `properties` only/);
    });
  });
});

describe("checkParamHeaders (http-custom-header-server-validation)", () => {
  const call = (region: unknown, headers: Record<string, string>) => checkParamHeaders(regionSpecs(), { region }, headersOf(headers));

  it("accepts a plain matching value", () => {
    expect(call("us-west1", { "Mcp-Param-Region": "us-west1" })).toBeNull();
  });

  it("finds the header under any name spelling", () => {
    expect(call("us-west1", { "mcp-param-REGION": "us-west1" })).toBeNull();
  });

  it("accepts =?base64?SGVsbG8=?= for body Hello", () => {
    expect(call("Hello", { "Mcp-Param-Region": "=?base64?SGVsbG8=?=" })).toBeNull();
  });

  it("rejects =?base64?SGVsbG8?= (bad padding)", () => {
    expect(call("Hello", { "Mcp-Param-Region": "=?base64?SGVsbG8?=" })).toMatch(/^Mcp-Param-Region header is invalid: .*padding/);
  });

  it("rejects =?base64?SGVs!!!bG8=?= (bad alphabet)", () => {
    expect(call("Hello", { "Mcp-Param-Region": "=?base64?SGVs!!!bG8=?=" })).toMatch(/^Mcp-Param-Region header is invalid/);
  });

  it("treats an unwrapped base64-looking value as literal", () => {
    expect(call("SGVsbG8=", { "Mcp-Param-Region": "SGVsbG8=" })).toBeNull();
    expect(call("Hello", { "Mcp-Param-Region": "SGVsbG8=" })).toMatch(/does not match/);
  });

  it("treats a wrapper without its suffix as literal", () => {
    expect(call("=?base64?SGVsbG8=", { "Mcp-Param-Region": "=?base64?SGVsbG8=" })).toBeNull();
  });

  it("rejects an omitted header when the body has the value", () => {
    expect(call("test-value", {})).toBe("Mcp-Param-Region header is required: arguments.region is present in the body");
  });

  it("rejects a different value", () => {
    expect(call("us-west1", { "Mcp-Param-Region": "eu-west1" })).toBe('Mcp-Param-Region header "eu-west1" does not match arguments.region "us-west1"');
  });

  it("compares strings case-sensitively", () => {
    expect(call("us-west1", { "Mcp-Param-Region": "US-WEST1" })).toMatch(/does not match/);
  });

  it("matches UTF-8 values sent as base64", () => {
    expect(call("Zürich", { "Mcp-Param-Region": "=?base64?WsO8cmljaA==?=" })).toBeNull();
    expect(call("Zurich", { "Mcp-Param-Region": "=?base64?WsO8cmljaA==?=" })).toMatch(/does not match/);
  });

  it("trims whitespace around the header value", () => {
    const header = (name: string) => (name === "mcp-param-region" ? " \tus-west1 " : null);
    expect(checkParamHeaders(regionSpecs(), { region: "us-west1" }, header)).toBeNull();
  });

  it("does not expect the header when the argument is absent or null", () => {
    expect(checkParamHeaders(regionSpecs(), {}, headersOf({}))).toBeNull();
    expect(checkParamHeaders(regionSpecs(), undefined, headersOf({}))).toBeNull();
    expect(call(null, {})).toBeNull();
  });

  it("ignores a well-formed header sent for an absent argument", () => {
    expect(call(null, { "Mcp-Param-Region": "us-west1" })).toBeNull();
    expect(checkParamHeaders(regionSpecs(), {}, headersOf({ "Mcp-Param-Region": "=?base64?SGVsbG8=?=" }))).toBeNull();
  });

  it("rejects a malformed header even when the argument is absent", () => {
    expect(checkParamHeaders(regionSpecs(), {}, headersOf({ "Mcp-Param-Region": "=?base64?SGVsbG8?=" }))).toMatch(/invalid/);
    const header = (name: string) => (name === "mcp-param-region" ? "a\u0000b" : null);
    expect(checkParamHeaders(regionSpecs(), {}, header)).toMatch(/not allowed in a header value/);
  });

  it("rejects control characters in a present header", () => {
    const header = (name: string) => (name === "mcp-param-region" ? "us\u0001west1" : null);
    expect(checkParamHeaders(regionSpecs(), { region: "us\u0001west1" }, header)).toMatch(/invalid/);
  });

  it("does not read inherited properties as arguments", () => {
    const specs = paramHeaderSpecs({ properties: { constructor: { type: "string", "x-mcp-header": "Ctor" } } }, "t");
    expect(checkParamHeaders(specs, {}, headersOf({}))).toBeNull();
  });

  describe("integers", () => {
    const specs = paramHeaderSpecs({ properties: { priority: { type: "integer", "x-mcp-header": "Priority" } } }, "t");
    const check = (priority: unknown, value: string | undefined) =>
      checkParamHeaders(specs, { priority }, headersOf(value === undefined ? {} : { "Mcp-Param-Priority": value }));

    it.each([["42"], ["42.0"], ["4.20e1"], ["420E-1"], ["042"], ["=?base64?NDI=?="]])("%s equals 42", (value) => {
      expect(check(42, value)).toBeNull();
    });

    it.each([["43"], ["forty-two"], ["0x2A"], ["42abc"], [""], ["+42"], ["Infinity"], ["4 2"]])("%j does not equal 42", (value) => {
      expect(check(42, value)).toMatch(/does not match arguments\.priority 42/);
    });

    it("compares negatives and zero", () => {
      expect(check(-7, "-7")).toBeNull();
      expect(check(0, "-0")).toBeNull();
      expect(check(-7, "7")).toMatch(/does not match/);
    });

    it("requires the header for 0", () => {
      expect(check(0, undefined)).toMatch(/required/);
    });
  });

  describe("booleans", () => {
    const specs = paramHeaderSpecs({ properties: { dryRun: { type: "boolean", "x-mcp-header": "Dry-Run" } } }, "t");
    const check = (dryRun: unknown, value: string | undefined) =>
      checkParamHeaders(specs, { dryRun }, headersOf(value === undefined ? {} : { "Mcp-Param-Dry-Run": value }));

    it("accepts true and false spelled exactly", () => {
      expect(check(true, "true")).toBeNull();
      expect(check(false, "false")).toBeNull();
    });

    it.each([
      [true, "false"],
      [false, "true"],
      [true, "TRUE"],
      [true, "1"],
      [false, "0"],
      [false, ""],
    ])("%s vs %j is a mismatch", (body, value) => {
      expect(check(body, value)).toMatch(/does not match arguments\.dryRun/);
    });

    it("requires the header for false", () => {
      expect(check(false, undefined)).toMatch(/Mcp-Param-Dry-Run header is required/);
    });
  });

  it("compares a hand-built number spec numerically", () => {
    const specs: ParamHeaderSpec[] = [{ header: "Score", lower: "mcp-param-score", path: ["score"], type: "number" }];
    expect(checkParamHeaders(specs, { score: 0.5 }, headersOf({ "Mcp-Param-Score": "5e-1" }))).toBeNull();
    expect(checkParamHeaders(specs, { score: 0.5 }, headersOf({ "Mcp-Param-Score": "0.25" }))).toMatch(/does not match/);
  });

  it("checks nested paths", () => {
    const specs = paramHeaderSpecs(
      { properties: { location: { type: "object", properties: { region: { type: "string", "x-mcp-header": "Region" } } } } },
      "t",
    );
    expect(checkParamHeaders(specs, { location: { region: "eu" } }, headersOf({ "Mcp-Param-Region": "eu" }))).toBeNull();
    expect(checkParamHeaders(specs, { location: { region: "eu" } }, headersOf({ "Mcp-Param-Region": "us" }))).toMatch(/arguments\.location\.region/);
    expect(checkParamHeaders(specs, { location: { region: "eu" } }, headersOf({}))).toMatch(/required/);
    // An absent or non-object parent means an absent argument.
    expect(checkParamHeaders(specs, {}, headersOf({}))).toBeNull();
    expect(checkParamHeaders(specs, { location: null }, headersOf({}))).toBeNull();
    expect(checkParamHeaders(specs, { location: "eu" }, headersOf({}))).toBeNull();
  });

  it("checks every annotated argument and reports the first problem", () => {
    const specs = paramHeaderSpecs(
      { properties: { region: { type: "string", "x-mcp-header": "Region" }, priority: { type: "integer", "x-mcp-header": "Priority" } } },
      "t",
    );
    const args = { region: "eu", priority: 3 };
    expect(checkParamHeaders(specs, args, headersOf({ "Mcp-Param-Region": "eu", "Mcp-Param-Priority": "3" }))).toBeNull();
    expect(checkParamHeaders(specs, args, headersOf({ "Mcp-Param-Region": "eu" }))).toMatch(/^Mcp-Param-Priority header is required/);
  });

  it("returns null with no specs", () => {
    expect(checkParamHeaders([], { region: "x" }, headersOf({ "Mcp-Param-Region": "y" }))).toBeNull();
  });
});
