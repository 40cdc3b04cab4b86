/**
 * The server answered with a JSON-RPC error. `status` is the HTTP status it came with, because
 * the eras put some errors at the HTTP level (a 2026 header mismatch is 400, an ended session
 * 404, a missing scope 403) and a test may care about either.
 * @example
 * await expect(client.callTool("no_such_tool")).rejects.toMatchObject({ name: "McpClientError", code: -32602 });
 */
export class McpClientError extends Error {
  override name = "McpClientError";
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
    readonly status = 200,
    /** The response's headers, e.g. the `WWW-Authenticate` challenge of a 401 or 403. */
    readonly headers?: Headers,
  ) {
    super(message);
  }
}

/**
 * The exchange carried no JSON-RPC answer at all: an HTTP status with a body that is not
 * JSON-RPC (an `onRequest` hook's 401, say), a stream that ended before the answer, a client
 * used after `close()`, or a server asking for input rounds without end.
 * @example
 * await expect(client.listTools()).rejects.toMatchObject({ name: "McpTransportError", status: 401 });
 */
export class McpTransportError extends Error {
  override name = "McpTransportError";
  constructor(
    message: string,
    readonly status?: number,
    /** The response body as text, when there was one. */
    readonly body?: string,
    readonly headers?: Headers,
  ) {
    super(message);
  }
}
