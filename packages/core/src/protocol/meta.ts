/**
 * The `io.modelcontextprotocol/*` keys, each spelled once. Clients and servers of the
 * 2026-07-28 revision carry per-request facts under these keys in `_meta`.
 */
export const META = {
  protocolVersion: "io.modelcontextprotocol/protocolVersion",
  clientCapabilities: "io.modelcontextprotocol/clientCapabilities",
  clientInfo: "io.modelcontextprotocol/clientInfo",
  logLevel: "io.modelcontextprotocol/logLevel",
  serverInfo: "io.modelcontextprotocol/serverInfo",
  subscriptionId: "io.modelcontextprotocol/subscriptionId",
} as const;

/** The 2026 tasks extension (SEP-2663): server-directed, polled with tasks/get. */
export const TASKS_EXTENSION = "io.modelcontextprotocol/tasks";

