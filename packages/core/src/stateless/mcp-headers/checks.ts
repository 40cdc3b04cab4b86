import { isObject } from "../../util/is-object.js";
import type { ParamHeaderSpec } from "../../server/param-headers.js";
import { decodeHeaderValue } from "./value.js";

/**
 * Request headers that MCP 2026-07-28 clients mirror from the JSON-RPC body
 * (`Mcp-Method`, `Mcp-Name`, `Mcp-Param-{Name}`), and the server-side checks on them.
 * A failed check is a `400` with JSON-RPC `-32020` (HeaderMismatch); the caller builds
 * that response from the message these functions return.
 *
 * Web standards only: this runs on Workers, Deno and Bun as well as Node.
 */

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
