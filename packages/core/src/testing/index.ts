/**
 * `@wisp/core/testing`: an in-memory MCP client for unit tests of a Wisp server. It drives
 * `server.handle()` directly (no HTTP server, no sockets) in either protocol era.
 * @example
 * import { connect } from "@wisp/core/testing";
 * const client = await connect(server);                                    // 2026-07-28, stateless
 * const legacy = await connect(server, { protocolVersion: "2025-11-25" }); // a 2025 session
 */
export { connect } from "./client.js";
export type { McpTestClient } from "./client.js";
export { McpClientError, McpTransportError } from "./errors.js";
export { sseEvents } from "./sse.js";
export type { SseEvent } from "./sse.js";
export type * from "./types.js";
