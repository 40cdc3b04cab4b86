/**
 * Request headers that MCP 2026-07-28 clients mirror from the JSON-RPC body
 * (`Mcp-Method`, `Mcp-Name`, `Mcp-Param-{Name}`), and the server-side checks on them.
 * A failed check is a `400` with JSON-RPC `-32020` (HeaderMismatch); the caller builds
 * that response from the message these functions return.
 *
 * Web standards only: this runs on Workers, Deno and Bun as well as Node.
 */

// ---------------------------------------------------------------------------
// Value decoding
// ---------------------------------------------------------------------------

const SENTINEL_PREFIX = "=?base64?";
const SENTINEL_SUFFIX = "?=";

/** Standard alphabet, groups of four, `=` padding only at the very end. */
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** The fatal decoder throws on malformed UTF-8; `ignoreBOM` keeps a leading U+FEFF in the value instead of dropping it. */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

const isOws = (code: number) => code === 0x20 || code === 0x09;

/** Trims optional whitespace (SP / HTAB only, as RFC 9110 defines OWS), nothing else. */
function trimOws(raw: string): string {
  let start = 0;
  let end = raw.length;
  while (start < end && isOws(raw.charCodeAt(start))) start++;
  while (end > start && isOws(raw.charCodeAt(end - 1))) end--;
  return raw.slice(start, end);
}

/**
 * RFC 9110 field-value characters: HTAB, SP, VCHAR and obs-text (0x80–0xFF).
 * Everything else (other controls, DEL, anything past 0xFF, which no real header carries) is invalid.
 */
function invalidCharacter(value: string): number | undefined {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x09) continue;
    if (code < 0x20 || code === 0x7f || code > 0xff) return code;
  }
  return undefined;
}

/** True when the payload's last symbol before padding leaves no non-zero spare bits (RFC 4648 §3.5, canonical encoding). */
function canonicalTail(payload: string): boolean {
  const padding = payload.endsWith("==") ? 2 : payload.endsWith("=") ? 1 : 0;
  if (padding === 0) return true;
  const last = BASE64_ALPHABET.indexOf(payload[payload.length - padding - 1]);
  // Two pad characters: the last symbol contributes 2 data bits (4 spare); one pad: 4 data bits (2 spare).
  const spareMask = padding === 2 ? 0b1111 : 0b11;
  return (last & spareMask) === 0;
}

/**
 * Decodes one header value per MCP rules: trim surrounding optional whitespace (SP/HTAB); a value
 * of the exact form `=?base64?<b64>?=` (markers case-sensitive) is base64-decoded as UTF-8 — strictly:
 * only the standard alphabet, correct `=` padding, length multiple of 4, canonical trailing bits, fatal
 * UTF-8 decoding. A value without the full wrapper is literal. Values with characters a header value
 * cannot hold (controls other than HTAB, DEL) are rejected.
 */
export function decodeHeaderValue(raw: string): { ok: true; value: string } | { ok: false; reason: string } {
  const bad = invalidCharacter(raw);
  if (bad !== undefined) {
    return { ok: false, reason: `contains a character not allowed in a header value (U+${bad.toString(16).toUpperCase().padStart(4, "0")})` };
  }
  const value = trimOws(raw);
  const wrapped =
    value.length >= SENTINEL_PREFIX.length + SENTINEL_SUFFIX.length && value.startsWith(SENTINEL_PREFIX) && value.endsWith(SENTINEL_SUFFIX);
  if (!wrapped) return { ok: true, value };

  const payload = value.slice(SENTINEL_PREFIX.length, value.length - SENTINEL_SUFFIX.length);
  if (payload.length % 4 !== 0) return { ok: false, reason: "base64 payload length is not a multiple of 4 (bad padding)" };
  if (!STRICT_BASE64.test(payload)) return { ok: false, reason: "base64 payload has characters outside the standard alphabet or misplaced padding" };
  if (!canonicalTail(payload)) return { ok: false, reason: "base64 payload is not canonically encoded (non-zero padding bits)" };

  // atob is lenient (whitespace, missing padding), which is why the payload was validated above.
  const binary = atob(payload);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  try {
    return { ok: true, value: utf8.decode(bytes) };
  } catch {
    return { ok: false, reason: "base64 payload is not valid UTF-8" };
  }
}

// ---------------------------------------------------------------------------
// Mcp-Method / Mcp-Name
// ---------------------------------------------------------------------------

/**
 * The `params` field a request's `Mcp-Name` header mirrors: `tools/call` and `prompts/get` →
 * `name`, `resources/read` → `uri`, tasks extension `tasks/get|update|cancel` → `taskId`.
 * Other methods carry no `Mcp-Name`.
 */
export function nameFieldFor(method: string): "name" | "uri" | "taskId" | undefined {
  switch (method) {
    case "tools/call":
    case "prompts/get":
      return "name";
    case "resources/read":
      return "uri";
    case "tasks/get":
    case "tasks/update":
    case "tasks/cancel":
      return "taskId";
    default:
      return undefined;
  }
}

/** Quotes a value for an error message, shortened so a hostile header cannot blow up the response. */
function quote(value: string): string {
  return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
}

/**
 * Checks `Mcp-Method` and `Mcp-Name` on a 2026-07-28 request. `header(lowerName)` returns the raw
 * header value or null. `Mcp-Method` must be present and equal `method` exactly (values are
 * case-sensitive). For methods with a name field (see {@link nameFieldFor}) `Mcp-Name` must be present
 * and, after decoding, equal that params field. When the body itself lacks the field (or it is not a
 * string) only presence is checked: the body is invalid and params validation reports it.
 * Returns null when all is well, else a message for the `-32020` error.
 */
export function checkStandardHeaders(
  method: string,
  params: Record<string, unknown> | undefined,
  header: (lowerName: string) => string | null,
): string | null {
  const rawMethod = header("mcp-method");
  if (rawMethod === null) return "Mcp-Method header is required";
  const decodedMethod = decodeHeaderValue(rawMethod);
  if (!decodedMethod.ok) return `Mcp-Method header is invalid: ${decodedMethod.reason}`;
  if (decodedMethod.value !== method) {
    return `Mcp-Method header ${quote(decodedMethod.value)} does not match the body method ${quote(method)}`;
  }

  const field = nameFieldFor(method);
  if (field === undefined) return null;
  const rawName = header("mcp-name");
  if (rawName === null) return `Mcp-Name header is required for ${method}`;
  const decodedName = decodeHeaderValue(rawName);
  if (!decodedName.ok) return `Mcp-Name header is invalid: ${decodedName.reason}`;
  const bodyValue = params?.[field];
  if (typeof bodyValue === "string" && decodedName.value !== bodyValue) {
    return `Mcp-Name header ${quote(decodedName.value)} does not match the body params.${field} ${quote(bodyValue)}`;
  }
  return null;
}

// ---------------------------------------------------------------------------
// x-mcp-header annotations
// ---------------------------------------------------------------------------

export interface ParamHeaderSpec {
  /** The annotation value as written, e.g. "Region". */
  header: string;
  /** The full header name, lower-cased, e.g. "mcp-param-region". */
  lower: string;
  /** Property path from the schema root, through `properties` only, e.g. ["location", "region"]. */
  path: string[];
  /**
   * The annotated property's type. `paramHeaderSpecs` never yields "number" (the 2026-07-28 spec forbids
   * it); `checkParamHeaders` still compares such a spec numerically if one is built by hand.
   */
  type: "string" | "integer" | "boolean" | "number";
}

const ANNOTATION = "x-mcp-header";
const PARAM_PREFIX = "mcp-param-";

/** RFC 9110 §5.6.2 token: 1*tchar. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const ALLOWED_TYPES = new Set(["string", "integer", "boolean"]);

/** Keywords whose value is one subschema. */
const SUBSCHEMA = new Set([
  "items",
  "additionalItems",
  "contains",
  "additionalProperties",
  "propertyNames",
  "unevaluatedItems",
  "unevaluatedProperties",
  "not",
  "if",
  "then",
  "else",
]);
/** Keywords whose value is an array of subschemas (`items` too, in its draft-07 array form). */
const SUBSCHEMA_ARRAY = new Set(["allOf", "anyOf", "oneOf", "prefixItems", "items"]);
/** Keywords whose value maps names to subschemas. */
const SUBSCHEMA_MAP = new Set(["properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies"]);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** JSON Pointer segment escaping (RFC 6901), for locations in error messages. */
const pointer = (segments: string[]) => `#/${segments.map((s) => s.replaceAll("~", "~0").replaceAll("/", "~1")).join("/")}`;

/**
 * Finds every `x-mcp-header` annotation in a tool's `inputSchema` and validates it, throwing a TypeError
 * naming the tool and the schema location when an annotation
 * - is not a non-empty RFC 9110 token,
 * - repeats another annotation of the same tool (case-insensitively),
 * - sits on a property whose `type` is not string / integer / boolean (a `["<one of those>", "null"]`
 *   type array is accepted; a missing type and `number` are not),
 * - is not reachable from the root through a chain of `properties` keys alone (under `items`,
 *   composition, conditionals, `$defs`, `patternProperties`, ... or on the root itself).
 * Returns the specs in schema order (empty when there are none).
 */
export function paramHeaderSpecs(inputSchema: Record<string, unknown>, toolName: string): ParamHeaderSpec[] {
  const specs: ParamHeaderSpec[] = [];
  const seen = new Map<string, string>();
  const fail = (location: string[], problem: string): never => {
    throw new TypeError(`Tool ${JSON.stringify(toolName)}: x-mcp-header at ${pointer(location)} ${problem}`);
  };

  const annotate = (schema: Record<string, unknown>, location: string[], path: string[] | undefined) => {
    const value = schema[ANNOTATION];
    if (path === undefined || path.length === 0) {
      return fail(location, "must sit on a property reached from the schema root through `properties` only");
    }
    if (typeof value !== "string" || value === "") return fail(location, "must be a non-empty string");
    if (!TOKEN.test(value)) return fail(location, `value ${JSON.stringify(value)} is not a valid HTTP header token (RFC 9110)`);
    const lower = `${PARAM_PREFIX}${value.toLowerCase()}`;
    const previous = seen.get(lower);
    if (previous !== undefined) return fail(location, `value ${JSON.stringify(value)} duplicates the annotation at ${previous} (names are case-insensitive)`);
    const type = primitiveType(schema.type);
    if (type === undefined) {
      return fail(location, `is only allowed on string, integer or boolean properties (type is ${JSON.stringify(schema.type ?? null)})`);
    }
    seen.set(lower, pointer(location));
    specs.push({ header: value, lower, path, type });
  };

  /** `path` is the property path when this schema is reachable through `properties` only, else undefined. */
  const walk = (schema: unknown, location: string[], path: string[] | undefined) => {
    if (!isObject(schema)) return; // boolean schemas, or junk that schema validation reports elsewhere
    if (Object.hasOwn(schema, ANNOTATION)) annotate(schema, location, path);
    for (const [keyword, value] of Object.entries(schema)) {
      if (SUBSCHEMA_MAP.has(keyword) && isObject(value)) {
        for (const [name, child] of Object.entries(value)) {
          walk(child, [...location, keyword, name], keyword === "properties" && path !== undefined ? [...path, name] : undefined);
        }
      } else if (SUBSCHEMA_ARRAY.has(keyword) && Array.isArray(value)) {
        value.forEach((child, i) => walk(child, [...location, keyword, String(i)], undefined));
      } else if (SUBSCHEMA.has(keyword)) {
        walk(value, [...location, keyword], undefined);
      }
      // Anything else (const, enum, default, examples, unknown keywords) is data, not a schema.
    }
  };

  walk(inputSchema, [], []);
  return specs;
}

function primitiveType(type: unknown): "string" | "integer" | "boolean" | undefined {
  if (typeof type === "string") return ALLOWED_TYPES.has(type) ? (type as "string" | "integer" | "boolean") : undefined;
  if (Array.isArray(type)) {
    const nonNull = type.filter((t) => t !== "null");
    if (nonNull.length === 1 && type.length - nonNull.length <= 1) return primitiveType(nonNull[0]);
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Mcp-Param-{Name}
// ---------------------------------------------------------------------------

/** The argument at `path`, or undefined when any step is missing (own properties only: no prototype lookups). */
function argumentAt(args: Record<string, unknown> | undefined, path: string[]): unknown {
  let current: unknown = args;
  for (const key of path) {
    if (!isObject(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}

/** A decimal number as a header may carry it: `42`, `-7`, `42.0`, `4.20e1`. No hex, no `Infinity`, no empty string. */
const DECIMAL = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * Checks `Mcp-Param-*` headers against a `tools/call`'s arguments. `header(lowerName)` returns the raw
 * header value or null. When the argument at a spec's path exists and is not null, its header must be
 * present and, decoded, equal it: strings exactly, numbers numerically (`"4.20e1"` equals 42), booleans
 * as `true` / `false`. When the argument is absent or null the header is not required, but one that is
 * sent anyway must still decode. Arguments that are objects or arrays are left to schema validation.
 * Returns null when all is well, else a message naming the header.
 */
export function checkParamHeaders(
  specs: ParamHeaderSpec[],
  args: Record<string, unknown> | undefined,
  header: (lowerName: string) => string | null,
): string | null {
  for (const spec of specs) {
    const name = `Mcp-Param-${spec.header}`;
    const raw = header(spec.lower);
    const value = argumentAt(args, spec.path);
    if (value === undefined || value === null) {
      if (raw === null) continue;
      const decoded = decodeHeaderValue(raw);
      if (!decoded.ok) return `${name} header is invalid: ${decoded.reason}`;
      continue;
    }
    if (raw === null) return `${name} header is required: arguments.${spec.path.join(".")} is present in the body`;
    const decoded = decodeHeaderValue(raw);
    if (!decoded.ok) return `${name} header is invalid: ${decoded.reason}`;
    const problem = mismatch(decoded.value, value);
    if (problem !== undefined) return `${name} header ${quote(decoded.value)} does not match arguments.${spec.path.join(".")} ${problem}`;
  }
  return null;
}

/** Why `headerValue` disagrees with the body value, or undefined when they agree. Compares by the body value's JSON type. */
function mismatch(headerValue: string, bodyValue: unknown): string | undefined {
  switch (typeof bodyValue) {
    case "string":
      return headerValue === bodyValue ? undefined : quote(bodyValue);
    case "number":
      return DECIMAL.test(headerValue) && Number(headerValue) === bodyValue ? undefined : String(bodyValue);
    case "boolean":
      return headerValue === String(bodyValue) ? undefined : String(bodyValue);
    default:
      return undefined; // objects and arrays cannot be mirrored; the tool's input validation rejects them
  }
}
