import { Validator } from "@cfworker/json-schema";
import { SchemaError, describeError } from "./errors.js";
import { issuesFromOutputUnits } from "./json-schema-issues.js";
import type { PreparedJsonSchema } from "./json-schema.js";
import type { ValidationResult } from "./types.js";

// Loaded with import() by validate.ts, only once a raw JSON Schema is used: servers whose
// schemas are all Standard Schemas (or who have none) never load @cfworker/json-schema.

const compiled = new WeakMap<PreparedJsonSchema, Validator>();

/** Compiles once per prepared schema; later calls are a WeakMap lookup. */
export function compileJsonSchema(schema: PreparedJsonSchema): Validator {
  let validator = compiled.get(schema);
  if (validator !== undefined) return validator;
  try {
    validator = new Validator(schema.copy, schema.draft, false);
  } catch (error) {
    throw new SchemaError(`invalid JSON Schema: ${describeError(error)}`, { cause: error });
  }
  compiled.set(schema, validator);
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
