import { Validator, type SchemaDraft } from "@cfworker/json-schema";
import { SchemaError, describeError } from "./errors.js";
import { issuesFromOutputUnits } from "./json-schema-issues.js";
import { escapePointerSegment } from "./issues.js";
import { hasStandardMarker, unsupportedStandardSchema } from "./standard.js";
import type { JsonSchema, ValidationResult } from "./types.js";

/** Dialects @cfworker/json-schema implements that we accept; keyed by `$schema` without scheme or trailing "#". */
const DIALECTS = new Map<string, SchemaDraft>([
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

const compiledValidators = new WeakMap<object, Validator>();

/** Rejects anything that is not a plain JSON Schema object, so a typo never silently validates nothing. */
export function assertJsonSchemaObject(schema: unknown): asserts schema is JsonSchema {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    throw new SchemaError(`expected a Standard Schema or a JSON Schema object, got ${describeKind(schema)}`);
  }
  if (hasStandardMarker(schema)) throw unsupportedStandardSchema(schema);
}

/** Compiles once per schema object; later calls are a WeakMap lookup. */
export function compileJsonSchema(schema: JsonSchema): Validator {
  const cached = compiledValidators.get(schema);
  if (cached !== undefined) return cached;

  assertJsonSchemaObject(schema);
  const draft = dialectOf(schema);
  assertOnlyLocalReferences(schema, "", 0);

  // cfworker tags every subschema with hidden bookkeeping properties; compiling a private
  // copy keeps the caller's object exactly as written and immune to later edits by them.
  let privateCopy: JsonSchema;
  try {
    privateCopy = structuredClone(schema);
  } catch (error) {
    throw new SchemaError(`JSON Schema must be plain JSON data: ${describeError(error)}`, { cause: error });
  }

  let validator: Validator;
  try {
    validator = new Validator(privateCopy, draft, false);
  } catch (error) {
    throw new SchemaError(`invalid JSON Schema: ${describeError(error)}`, { cause: error });
  }
  compiledValidators.set(schema, validator);
  return validator;
}

export function validateWithCompiled<T>(validator: Validator, value: unknown): ValidationResult<T> {
  let outcome: ReturnType<Validator["validate"]>;
  try {
    outcome = validator.validate(value);
  } catch (error) {
    // cfworker resolves $refs lazily, so a dangling local one ("#/$defs/missing") only
    // surfaces here. Its message ends in a list of every known URI: keep the first line.
    const firstLine = describeError(error).split("\n", 1)[0];
    throw new SchemaError(`JSON Schema could not be evaluated: ${firstLine}`, { cause: error });
  }
  if (outcome.valid) return { ok: true, value: value as T };
  return { ok: false, issues: issuesFromOutputUnits(outcome.errors) };
}

function dialectOf(schema: JsonSchema): SchemaDraft {
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
