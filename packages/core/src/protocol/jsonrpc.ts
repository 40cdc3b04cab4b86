import { isObject } from "../util/is-object.js";
import { ErrorCode, HttpError, McpError } from "./errors.js";

export type RequestId = string | number;

export interface JsonRpcRequest {
  jsonrpc: "2.0";
  id: RequestId;
  method: string;
  params?: Record<string, unknown>;
}
export interface JsonRpcNotification {
  jsonrpc: "2.0";
  method: string;
  params?: Record<string, unknown>;
}
export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}
export type JsonRpcResponse =
  | { jsonrpc: "2.0"; id: RequestId; result: Record<string, unknown> }
  | { jsonrpc: "2.0"; id: RequestId | null; error: JsonRpcErrorObject };
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

export const isNotification = (m: JsonRpcMessage): m is JsonRpcNotification => "method" in m && !("id" in m);
export const isResponse = (m: JsonRpcMessage): m is JsonRpcResponse => !("method" in m);

export const isValidId = (id: unknown): id is RequestId =>
  typeof id === "string" || (typeof id === "number" && Number.isInteger(id));

/** Parses a POST body: one message or (2025-03-26 only) an array of them. */
export function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, ErrorCode.ParseError, "Parse error: the request body is not valid JSON");
  }
}

/**
 * Checks the JSON-RPC 2.0 envelope. Throws -32600 with a message saying what is wrong,
 * so a client author can fix the request without reading our source.
 */
export function toMessage(value: unknown): JsonRpcMessage {
  const problem = messageProblem(value);
  if (problem !== undefined) throw invalid(problem);
  return value as JsonRpcMessage;
}

/** What is wrong with a message's envelope, or undefined. Returns instead of throwing: it runs on every batch item. */
function messageProblem(value: unknown): string | undefined {
  if (!isObject(value)) return "a JSON-RPC message must be a JSON object";
  if (value.jsonrpc !== "2.0") return '"jsonrpc" must be the string "2.0"';
  if ("method" in value) {
    if (typeof value.method !== "string" || value.method === "") return '"method" must be a non-empty string';
    if (value.params !== undefined && !isObject(value.params)) return '"params" must be an object when present';
    if ("id" in value && !isValidId(value.id)) return '"id" must be a string or an integer';
    return undefined;
  }
  if (!isValidId(value.id)) return 'a response needs a string or integer "id"';
  if ("result" in value === "error" in value) return 'a response carries exactly one of "result" and "error"';
  return undefined;
}

/** A 2025-03-26 batch is bounded: its items share one response, held open until the slowest finishes. */
export const MAX_BATCH_ITEMS = 100;

export const tooManyBatchItems = (count: number) =>
  invalid(`a batch holds at most ${MAX_BATCH_ITEMS} messages (this one has ${count}); send them in several requests`);

/**
 * Why a POST body is no JSON-RPC message at all, or undefined when it is one (or a batch with at
 * least one). Checked before anything else reads the body, headers included, so `{"hello":1}`
 * is -32600 whether or not it came with a session id or a protocol version. A batch whose items
 * are all broken is refused as a whole (JSON-RPC would answer each; no MCP version needs that).
 */
export function envelopeError(body: unknown): McpError | undefined {
  if (!Array.isArray(body)) {
    const problem = messageProblem(body);
    return problem === undefined ? undefined : invalid(problem);
  }
  if (body.length === 0) return invalid("an empty batch (array) carries no message");
  if (body.length > MAX_BATCH_ITEMS) return tooManyBatchItems(body.length);
  // A batch with one good message is answered item by item, where each bad item gets its own error.
  let first: string | undefined;
  for (const item of body) {
    const problem = messageProblem(item);
    if (problem === undefined) return undefined;
    first ??= problem;
  }
  return invalid(`no item of the batch is a JSON-RPC message (the first: ${first})`);
}

const invalid = (why: string) => new HttpError(400, ErrorCode.InvalidRequest, `Invalid request: ${why}`);

export const resultMessage = (id: RequestId, result: unknown): string =>
  JSON.stringify({ jsonrpc: "2.0", id, result });

/** The same message around a result serialised earlier (`resultJson` must be JSON of an object). */
export const resultMessageOf = (id: RequestId, resultJson: string): string => `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${resultJson}}`;

export const errorMessage = (id: RequestId | null, error: McpError | JsonRpcErrorObject): string =>
  JSON.stringify({ jsonrpc: "2.0", id, error: error instanceof McpError ? error.toJSON() : error });

export const notificationMessage = (method: string, params?: unknown): string =>
  JSON.stringify(params === undefined ? { jsonrpc: "2.0", method } : { jsonrpc: "2.0", method, params });

export const requestMessage = (id: RequestId, method: string, params?: unknown): string =>
  JSON.stringify({ jsonrpc: "2.0", id, method, params });

/** Normalises anything thrown by a handler into an error that is safe to show a client. */
export function toMcpError(error: unknown): McpError {
  if (error instanceof McpError) return error;
  // Never leak stacks or internals; the telemetry `exception` event carries the details.
  return new McpError(ErrorCode.InternalError, "Internal error");
}
