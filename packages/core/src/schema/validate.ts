import { prepareJsonSchema } from "./json-schema.js";
import { isStandardSchema, validateStandard } from "./standard.js";
import { SchemaError, describeError } from "./errors.js";
import type { InferOutput, JsonSchema, SchemaIssue, SchemaLike, ValidationResult } from "./types.js";

/** Values come from JSON off the wire; nothing legitimate nests this deep, and bounding it bounds the validators' recursion. */
export const MAX_VALUE_DEPTH = 64;

/**
 * Validates a value. Standard Schemas run their own validator and hand back its output
 * (defaults and transforms applied); raw JSON Schema hands back the value itself.
 * Throws SchemaError only when the schema is unusable, never for a bad value.
 */
export async function validate<S extends SchemaLike>(
  schema: S,
  value: unknown,
): Promise<ValidationResult<InferOutput<S>>> {
  return validateNow(schema, value);
}

/**
 * `validate`, answering synchronously when the schema does (a Standard Schema whose validator is
 * synchronous, as valibot's and zod's are): the per-call path skips a promise and a microtask.
 */
export function validateNow<S extends SchemaLike>(schema: S, value: unknown): ValidationResult<InferOutput<S>> | Promise<ValidationResult<InferOutput<S>>> {
  if (isStandardSchema(schema)) {
    if (nestedDeeperThan(value, MAX_VALUE_DEPTH)) return tooDeep();
    return validateStandard<InferOutput<S>>(schema, value);
  }
  return validateJsonSchema<InferOutput<S>>(schema, value);
}

async function validateJsonSchema<T>(schema: JsonSchema, value: unknown): Promise<ValidationResult<T>> {
  // Compile before the depth check so a broken schema is reported whatever the value.
  const prepared = prepareJsonSchema(schema);
  const validator = (jsonSchemaValidator ?? (await loadJsonSchemaValidator())).compileJsonSchema(prepared);
  if (nestedDeeperThan(value, MAX_VALUE_DEPTH)) return tooDeep();
  return jsonSchemaValidator!.validateWithCompiled<T>(validator, value);
}

type JsonSchemaValidatorModule = typeof import("./json-schema-validator.js");
let jsonSchemaValidator: JsonSchemaValidatorModule | undefined;
let loading: Promise<JsonSchemaValidatorModule> | undefined;

/** One import() per process; afterwards the module is used without awaiting anything. */
function loadJsonSchemaValidator(): Promise<JsonSchemaValidatorModule> {
  return (loading ??= import("./json-schema-validator.js").then(
    (module) => (jsonSchemaValidator = module),
    (error: unknown) => {
      loading = undefined; // a failed load (e.g. a missing file in a broken install) is retried next time
      throw new SchemaError(`the JSON Schema validator could not be loaded: ${describeError(error)}`, { cause: error });
    },
  ));
}

/**
 * Checks a raw JSON Schema now, so a bad schema fails when a tool is registered rather than on
 * its first call, and starts loading the validator so that call does not wait for it. Standard
 * Schemas need no preparation.
 */
export function precompile(schema: SchemaLike): void {
  if (isStandardSchema(schema)) return;
  prepareJsonSchema(schema);
  // A load failure is reported by the first validate(), with the tool's call.
  if (jsonSchemaValidator === undefined) loadJsonSchemaValidator().catch(() => {});
}

function tooDeep(): { ok: false; issues: SchemaIssue[] } {
  return { ok: false, issues: [{ path: "", message: `value nested too deeply (more than ${MAX_VALUE_DEPTH} levels)` }] };
}

/** Walks without allocating; a cyclic value simply counts as too deep. */
function nestedDeeperThan(value: unknown, levelsLeft: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (levelsLeft === 0) return true;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      if (nestedDeeperThan(value[index], levelsLeft - 1)) return true;
    }
    return false;
  }
  for (const key in value) {
    if (nestedDeeperThan((value as Record<string, unknown>)[key], levelsLeft - 1)) return true;
  }
  return false;
}
