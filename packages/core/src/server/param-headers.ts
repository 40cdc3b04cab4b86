import { isObject } from "../util/is-object.js";

/**
 * `x-mcp-header` annotations in a tool's input schema (MCP 2026-07-28): the arguments a client
 * mirrors into `Mcp-Param-{Name}` headers. Found and validated once, when the tool is registered,
 * so a bad annotation fails at startup; the stateless leg checks the headers against them.
 */

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
