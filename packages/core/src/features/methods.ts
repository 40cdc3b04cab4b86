import type { MethodHandler } from "./call.js";
import { complete } from "./completion.js";
import { setLevel } from "./logging.js";
import { getPrompt, listPrompts } from "./prompts.js";
import { listResources, listTemplates, readResource, subscribe } from "./resources.js";
import { callTool, listTools } from "./tools.js";

export type { Call, MethodHandler } from "./call.js";

/**
 * Every MCP method a feature answers, for both eras: each era's leg checks first whether the
 * method exists on its wire (2026-07-28 removed some). `initialize` is not here: it creates a
 * session, which is the session layer's job.
 * Looked up with .get(): a method named "constructor" or "__proto__" is simply not found.
 */
export const methodHandlers: ReadonlyMap<string, MethodHandler> = new Map(Object.entries({
  ping: async () => ({}),
  "tools/list": listTools,
  "tools/call": callTool,
  "resources/list": listResources,
  "resources/templates/list": listTemplates,
  "resources/read": readResource,
  "resources/subscribe": (call) => subscribe(call, true),
  "resources/unsubscribe": (call) => subscribe(call, false),
  "prompts/list": listPrompts,
  "prompts/get": getPrompt,
  "completion/complete": complete,
  "logging/setLevel": setLevel,
}));
