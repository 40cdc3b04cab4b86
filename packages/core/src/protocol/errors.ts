import { wwwAuthenticate } from "../auth/www-authenticate.js";

/** JSON-RPC and MCP error codes. Names follow the spec; numbers are the wire values. */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** Implementation-defined transport errors (the official SDK's numbering). */
  BadRequest: -32000,
  SessionNotFound: -32001,
  RequestTimeout: -32001,
  ResourceNotFound: -32002,
  UrlElicitationRequired: -32042,
  /** A valid token lacks scopes a feature needs (HTTP 403, step-up). */
  InsufficientScope: -32011,
  /** 2026-07-28 era. */
  HeaderMismatch: -32020,
  MissingRequiredClientCapability: -32021,
  UnsupportedProtocolVersion: -32022,
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode] | number;

/**
 * An error that reaches the client as a JSON-RPC error object.
 *
 * Throw it from any handler to answer with that code instead of a result.
 * @example
 * throw new McpError(ErrorCode.InvalidParams, "Unknown prompt: greet");
 */
export class McpError extends Error {
  override name = "McpError";
  constructor(
    readonly code: ErrorCodeValue,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }

  toJSON(): { code: number; message: string; data?: unknown } {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}

/** An error that also fixes the HTTP status (400, 404, 413, …) and headers of the response carrying it. */
export class HttpError extends McpError {
  override name = "HttpError";
  constructor(
    readonly status: number,
    code: ErrorCodeValue,
    message: string,
    data?: unknown,
    /** Headers the response carries, e.g. a `WWW-Authenticate` challenge. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(code, message, data);
  }
}

/**
 * The caller's token is valid but lacks scopes this call needs: `403` with a `Bearer
 * error="insufficient_scope"` challenge naming every scope to ask for (step-up authorization).
 */
export class InsufficientScopeError extends HttpError {
  override name = "InsufficientScopeError";
  constructor(
    readonly requiredScopes: readonly string[],
    /** Scopes to ask the authorization server for: what the token has plus what is missing. */
    scope: readonly string[],
    /** The RFC 9728 metadata URL, when the server publishes one (`HostContext.resourceMetadata`). */
    resourceMetadata?: string,
  ) {
    const challenge = wwwAuthenticate({ method: "Bearer", error: "insufficient_scope", scope: scope.join(" "), resourceMetadata });
    super(403, ErrorCode.InsufficientScope, `Forbidden: this call needs the scopes ${requiredScopes.join(", ")}; ask the authorization server for them`, { requiredScopes }, { "www-authenticate": challenge });
  }
}

/**
 * The storage backend (Redis, …) cannot be reached. Drivers throw it; the client gets `503`
 * with `Retry-After` and a JSON-RPC error, so it retries instead of giving up on its session.
 * @example
 * throw new StorageUnavailableError("Redis at 10.0.0.5:6379 did not answer within 2000 ms");
 */
export class StorageUnavailableError extends HttpError {
  override name = "StorageUnavailableError";
  constructor(
    /** What failed, for logs and telemetry: never sent to the client (it may name hosts and users). */
    readonly detail: string,
    /** Seconds the client should wait before retrying (`Retry-After`). */
    readonly retryAfterSeconds = 1,
  ) {
    super(503, ErrorCode.InternalError, `Service unavailable: the server's storage did not answer; retry in ${retryAfterSeconds} s`, undefined, {
      "retry-after": String(retryAfterSeconds),
    });
  }
}

/**
 * Thrown from a tool to report a failure the model should see (`isError: true`),
 * as opposed to a protocol error.
 * @example
 * if (!note) throw new ToolError(`No note named ${name}`);
 */
export class ToolError extends Error {
  override name = "ToolError";
}
