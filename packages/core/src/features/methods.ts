import type { Call, MethodHandler } from "./call.js";
import { setLevel } from "./logging.js";
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
  "resources/list": onFirstCall(() => import("./resources.js").then((m) => m.listResources)),
  "resources/templates/list": onFirstCall(() => import("./resources.js").then((m) => m.listTemplates)),
  "resources/read": onFirstCall(() => import("./resources.js").then((m) => m.readResource)),
  "resources/subscribe": onFirstCall(() => import("./resources.js").then((m) => (call: Call) => m.subscribe(call, true))),
  "resources/unsubscribe": onFirstCall(() => import("./resources.js").then((m) => (call: Call) => m.subscribe(call, false))),
  "prompts/list": onFirstCall(() => import("./prompts.js").then((m) => m.listPrompts)),
  "prompts/get": onFirstCall(() => import("./prompts.js").then((m) => m.getPrompt)),
  "completion/complete": onFirstCall(() => import("./completion.js").then((m) => m.complete)),
  "logging/setLevel": setLevel,
}));

/**
 * Resources, prompts and completion load with import() on the first call of one of their methods:
 * a server of tools never loads them, and a bundler splits them off (issue 13's size budget).
 * After that first call the method runs without waiting on anything. A failed load (a broken
 * install) fails that call with -32603 and is tried again by the next one.
 */
function onFirstCall(load: () => Promise<MethodHandler>): MethodHandler {
  let handler: MethodHandler | undefined;
  return (call) => (handler ? handler(call) : load().then((loaded) => (handler = loaded)(call)));
}
