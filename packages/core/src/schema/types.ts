import type { StandardSchemaV1 } from "@standard-schema/spec";

export type { StandardSchemaV1 };

/** A JSON Schema document as a plain object. Boolean schemas are not accepted where a tool schema is expected. */
export type JsonSchema = Record<string, unknown>;

/** Anything a user may pass where a schema is expected: a Standard Schema (valibot, zod 4, arktype) or a raw JSON Schema object. */
export type SchemaLike = StandardSchemaV1 | JsonSchema;

/**
 * The value `validate` hands back. Raw JSON Schema cannot describe a TypeScript type, and tool
 * arguments are always objects, so it infers as `Record<string, unknown>`.
 */
export type InferOutput<S> = S extends StandardSchemaV1
  ? StandardSchemaV1.InferOutput<S>
  : S extends JsonSchema
    ? Record<string, unknown>
    : unknown;

/** The value a caller is expected to send: before defaults and transforms are applied. */
export type InferInput<S> = S extends StandardSchemaV1
  ? StandardSchemaV1.InferInput<S>
  : S extends JsonSchema
    ? Record<string, unknown>
    : unknown;

/** One problem found in a value. */
export interface SchemaIssue {
  /** JSON Pointer (RFC 6901) to the offending value, e.g. "/address/city"; "" for the value itself. */
  path: string;
  /** What is wrong, worded so the sender can fix it. */
  message: string;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; issues: SchemaIssue[] };
