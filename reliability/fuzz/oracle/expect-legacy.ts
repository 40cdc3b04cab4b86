/**
 * What a 2025-era request inside a live session answers: always 200 (JSON or SSE) with the
 * JSON-RPC response; the error codes the spec names where the case is clear-cut (§4, §11).
 */
import { FIXTURE } from "../server.js";
import { type RequestId, isRecord } from "./envelope.js";
import type { Expectation } from "./expect.js";

/** Methods a 2025-era server with tools, resources and prompts answers. */
const SERVED = [
  "ping", "tools/list", "tools/call", "resources/list", "resources/templates/list", "resources/read", "resources/subscribe",
  "resources/unsubscribe", "prompts/list", "prompts/get", "completion/complete", "logging/setLevel",
];
/** The experimental tasks utility of 2025-11-25: served there (the fixture has a task tool), unknown before. */
const TASKS = ["tasks/get", "tasks/list", "tasks/result", "tasks/cancel"];
const TASKS_VERSION = "2025-11-25";

const reply = (rule: string, id: RequestId, outcome: "result" | "error" | "either", codes?: number[]): Expectation[] => [
  { rule, answer: { kind: "reply", era: "legacy", id, outcome, codes } },
];

export function legacyRequest(message: { id: RequestId; method: string; params?: Record<string, unknown> }, sessionVersion: string | undefined): Expectation[] {
  const { id, method } = message;
  const params = isRecord(message.params) ? message.params : {};
  if (TASKS.includes(method)) {
    if (sessionVersion === undefined || sessionVersion < TASKS_VERSION) return reply("2025: tasks/* before 2025-11-25 → -32601 in band", id, "error", [-32601]);
    return reply("2025-11-25: tasks/* → result or an error in band (a task id that is not the caller's → -32602)", id, "either");
  }
  if (!SERVED.includes(method)) return reply("2025: unknown method → -32601 in band (§1)", id, "error", [-32601]);
  if (method === "tools/call") {
    const name = params.name;
    if (typeof name !== "string" || !(FIXTURE.tools as readonly string[]).includes(name)) return reply("2025: tools/call of an unknown tool → -32602 (§11)", id, "error", [-32602]);
  }
  if (method === "prompts/get" && !(FIXTURE.prompts as readonly string[]).includes(params.name as string)) {
    return reply("2025: prompts/get of an unknown prompt → -32602 (§11)", id, "error", [-32602]);
  }
  if (method === "resources/read") {
    const uri = params.uri;
    const known = typeof uri === "string" && ((FIXTURE.resources as readonly string[]).includes(uri) || uri.startsWith("fuzz://items/"));
    // -32002 is the 2025 SHOULD; -32602 is what the official SDK sends (§18.5).
    if (!known) return reply("2025: resources/read of a missing resource → -32002 (or -32602)", id, "error", [-32002, -32602]);
  }
  return reply(`2025: ${method} → result or an error in band`, id, "either");
}
