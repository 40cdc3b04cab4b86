export type {
  InferInput,
  InferOutput,
  JsonSchema,
  SchemaIssue,
  SchemaLike,
  StandardSchemaV1,
  ValidationResult,
} from "./types.js";
export { SchemaError } from "./errors.js";
export { formatIssues } from "./issues.js";
export { isStandardSchema } from "./standard.js";
export { toJsonSchema, type ToJsonSchemaOptions } from "./to-json-schema.js";
export { MAX_VALUE_DEPTH, precompile, validate, validateNow } from "./validate.js";
