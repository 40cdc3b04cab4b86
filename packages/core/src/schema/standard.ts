import type { StandardSchemaV1 } from "@standard-schema/spec";
import { SchemaError } from "./errors.js";
import { escapePointerSegment } from "./issues.js";
import type { SchemaIssue, ValidationResult } from "./types.js";

/**
 * Arktype schemas are functions, so callables count too. Only version 1 of the spec is
 * understood; anything else is not a Standard Schema as far as this module knows.
 */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== "object" || value === null) && typeof value !== "function") return false;
  const props = (value as { "~standard"?: unknown })["~standard"];
  return (
    typeof props === "object" &&
    props !== null &&
    (props as { version?: unknown }).version === 1 &&
    typeof (props as { validate?: unknown }).validate === "function"
  );
}

/** Something that claims to be a Standard Schema but is not one we can use must not be mistaken for raw JSON Schema. */
export function hasStandardMarker(value: object): boolean {
  return "~standard" in value;
}

export function unsupportedStandardSchema(value: object): SchemaError {
  const props = (value as { "~standard"?: { vendor?: unknown; version?: unknown } })["~standard"];
  const vendor = typeof props?.vendor === "string" ? props.vendor : "unknown vendor";
  return new SchemaError(
    `schema from ${vendor} has a "~standard" property but is not a Standard Schema v1 (version ${String(props?.version)}, needs a validate function)`,
    { vendor },
  );
}

/** Runs the library's own validator; stays synchronous unless the library answers with a Promise. */
export function validateStandard<T>(
  schema: StandardSchemaV1,
  value: unknown,
): ValidationResult<T> | Promise<ValidationResult<T>> {
  const props = schema["~standard"];
  const result = props.validate(value);
  if (isPromiseLike(result)) return Promise.resolve(result).then((settled) => toValidationResult<T>(settled, props.vendor));
  return toValidationResult<T>(result, props.vendor);
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown }).then === "function";
}

function toValidationResult<T>(result: StandardSchemaV1.Result<unknown>, vendor: string): ValidationResult<T> {
  // The spec defines success as a falsy `issues`, not as its absence.
  if (!result.issues) return { ok: true, value: result.value as T };
  const issues: SchemaIssue[] = [];
  for (const issue of result.issues) issues.push(toSchemaIssue(issue, vendor));
  return { ok: false, issues };
}

function toSchemaIssue(issue: StandardSchemaV1.Issue, vendor: string): SchemaIssue {
  return { path: pathToPointer(issue.path), message: messageOf(issue, vendor) };
}

function messageOf(issue: StandardSchemaV1.Issue, vendor: string): string {
  // Arktype's message repeats the path ("name must be a string"); its `problem` is the
  // same text without it, which reads better next to our own path prefix.
  if (vendor === "arktype") {
    const problem = (issue as { problem?: unknown }).problem;
    if (typeof problem === "string" && problem !== "") return problem;
  }
  return issue.message;
}

function pathToPointer(path: StandardSchemaV1.Issue["path"]): string {
  if (!path || path.length === 0) return "";
  let pointer = "";
  for (const segment of path) {
    const key = typeof segment === "object" && segment !== null ? segment.key : segment;
    pointer += "/" + escapePointerSegment(keyToString(key));
  }
  return pointer;
}

function keyToString(key: PropertyKey): string {
  return typeof key === "symbol" ? (key.description ?? "") : String(key);
}
