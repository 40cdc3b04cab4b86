import { SchemaError, describeError } from "./errors.js";
import { escapePointerSegment } from "./issues.js";
import { hasStandardMarker, unsupportedStandardSchema } from "./standard.js";
import type { JsonSchema } from "./types.js";

/** Dialects @cfworker/json-schema implements that we accept; keyed by `$schema` without scheme or trailing "#". */
const DIALECTS = new Map<string, JsonSchemaDraft>([
  ["json-schema.org/draft/2020-12/schema", "2020-12"],
  ["json-schema.org/draft/2019-09/schema", "2019-09"],
  ["json-schema.org/draft-07/schema", "7"],
]);

/** Keywords whose values are instance data, never subschemas: a "$ref" inside them is just data. */
const DATA_KEYWORDS = new Set(["const", "enum", "default", "examples"]);

/** Keywords whose values map arbitrary names (which may look like keywords) to subschemas. */
const SCHEMA_MAP_KEYWORDS = new Set([
  "$defs",
  "definitions",
  "properties",
  "patternProperties",
  "dependentSchemas",
  "dependencies",
]);

const REFERENCE_KEYWORDS = new Set(["$ref", "$dynamicRef", "$recursiveRef"]);

/** Deeper than any hand-written schema; mostly here so a circular object fails with a message, not a stack overflow. */
const MAX_SCHEMA_DEPTH = 256;

/** The drafts the validator implements, named as @cfworker/json-schema names them. */
export type JsonSchemaDraft = "2020-12" | "2019-09" | "7";

/** A schema that passed every check this module can make without the validator: what it compiles. */
export interface PreparedJsonSchema {
  /** A private deep copy: the validator tags subschemas, and the caller's object must stay as written. */
  copy: JsonSchema;
  draft: JsonSchemaDraft;
}

const prepared = new WeakMap<object, PreparedJsonSchema>();

/** Rejects anything that is not a plain JSON Schema object, so a typo never silently validates nothing. */
export function assertJsonSchemaObject(schema: unknown): asserts schema is JsonSchema {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    throw new SchemaError(`expected a Standard Schema or a JSON Schema object, got ${describeKind(schema)}`);
  }
  if (hasStandardMarker(schema)) throw unsupportedStandardSchema(schema);
}

/**
 * Every check that needs no validator (shape, dialect, references, plain data), once per
 * schema object. Synchronous, so registration still refuses a broken schema on the spot while
 * the validator itself (≈ 20 KB) loads only when a raw JSON Schema is first used.
 */
export function prepareJsonSchema(schema: JsonSchema): PreparedJsonSchema {
  const cached = prepared.get(schema);
  if (cached !== undefined) return cached;

  assertJsonSchemaObject(schema);
  const draft = dialectOf(schema);
  assertOnlyLocalReferences(schema, "", 0);
  let copy: JsonSchema;
  try {
    copy = structuredClone(schema);
  } catch (error) {
    throw new SchemaError(`JSON Schema must be plain JSON data: ${describeError(error)}`, { cause: error });
  }
  const result = { copy, draft };
  prepared.set(schema, result);
  return result;
}

function dialectOf(schema: JsonSchema): JsonSchemaDraft {
  const uri = schema.$schema;
  if (uri === undefined) return "2020-12"; // MCP's default, and the current spec
  if (typeof uri === "string") {
    const draft = DIALECTS.get(uri.replace(/^https?:\/\//, "").replace(/#$/, ""));
    if (draft !== undefined) return draft;
  }
  throw new SchemaError(
    `unsupported JSON Schema dialect ${JSON.stringify(uri)}: use draft 2020-12 (the default when $schema is absent), 2019-09 or draft-07`,
  );
}

/**
 * Nothing is ever fetched, so a reference outside the document could only fail later, at
 * validation time and with a confusing message. Walks the schema the way the validator
 * does: subschemas under keywords, names under map keywords, and never into data.
 */
function assertOnlyLocalReferences(node: unknown, pointer: string, depth: number): void {
  if (typeof node !== "object" || node === null) return;
  if (depth > MAX_SCHEMA_DEPTH) {
    throw new SchemaError(`JSON Schema is nested more than ${MAX_SCHEMA_DEPTH} levels deep (or is circular) at "${pointer}"`);
  }
  if (Array.isArray(node)) {
    node.forEach((item, index) => assertOnlyLocalReferences(item, `${pointer}/${index}`, depth + 1));
    return;
  }
  for (const [key, child] of Object.entries(node)) {
    const childPointer = `${pointer}/${escapePointerSegment(key)}`;
    if (DATA_KEYWORDS.has(key)) continue;
    if (REFERENCE_KEYWORDS.has(key) && typeof child === "string") {
      if (!child.startsWith("#")) {
        throw new SchemaError(
          `external ${key} ${JSON.stringify(child)} at "${childPointer}" is not resolved; only local references are supported (starting with "#")`,
        );
      }
      continue;
    }
    if (SCHEMA_MAP_KEYWORDS.has(key) && typeof child === "object" && child !== null && !Array.isArray(child)) {
      for (const [name, subschema] of Object.entries(child)) {
        assertOnlyLocalReferences(subschema, `${childPointer}/${escapePointerSegment(name)}`, depth + 1);
      }
      continue;
    }
    assertOnlyLocalReferences(child, childPointer, depth + 1);
  }
}

function describeKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}
