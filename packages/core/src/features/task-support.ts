import type { Registry } from "../server/registry.js";
import type { ToolDefinition } from "../server/definitions.js";

// What every 2025 request may need to know about tasks, kept tiny: the rest of the 2025-11-25
// tasks utility (sessions/tasks.ts) loads with import() on a session's first task request.

/** The first 2025-era revision with the (experimental) `tasks` utility; older sessions never see it. */
const LEGACY_TASKS_VERSION = "2025-11-25";

/** A tool's task support as the 2025 leg sees it: the same `task` option the 2026 leg reads. */
export const legacyTaskSupport = (tool: ToolDefinition | undefined): "optional" | "required" | undefined =>
  tool?.config.era !== "modern" ? tool?.config.task : undefined;

/** True when a 2025 session at `protocolVersion` speaks tasks and some tool may run as one. */
export const hasLegacyTasks = (server: Registry, protocolVersion = ""): boolean =>
  protocolVersion >= LEGACY_TASKS_VERSION && [...server.tools.values()].some(legacyTaskSupport);

/**
 * Whether a 2025 request may concern a task (tools/call, tasks/*): then the tasks module answers
 * or passes. Runs on every call: a tools/call looks at its own tool only (scanning every tool
 * is left to the rare calls that carry a `task` for a tool that takes none).
 */
export function mayConcernTask(server: Registry, method: string, params: Record<string, unknown>, protocolVersion: string): boolean {
  if (protocolVersion < LEGACY_TASKS_VERSION) return false;
  if (method === "tools/call") {
    const tool = typeof params.name === "string" ? server.tools.get(params.name) : undefined;
    return legacyTaskSupport(tool) !== undefined || (params.task !== undefined && hasLegacyTasks(server, protocolVersion));
  }
  return method.startsWith("tasks/") && hasLegacyTasks(server, protocolVersion);
}

/** What a task is in storage, for both eras: one record shape, so either era reads the other's tasks. */
export type TaskStatus = "working" | "input_required" | "completed" | "failed" | "cancelled";
export const TERMINAL_TASK_STATUSES: ReadonlySet<string> = new Set<TaskStatus>(["completed", "failed", "cancelled"]);

export interface TaskRecord {
  taskId: string;
  status: TaskStatus;
  statusMessage?: string;
  createdAt: string;
  lastUpdatedAt: string;
  ttlMs: number;
  pollIntervalMs: number;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
  /** Input the running handler waits for, by key. */
  inputRequests?: Record<string, { method: string; params: Record<string, unknown> }>;
  /** Answers given with tasks/update (server-side only). */
  answers: Record<string, unknown>;
  /** Tasks are visible only to the principal that created them. */
  principal?: string;
  /** Without an authorization context a 2025 task belongs to its session (tasks/list must show what tasks/get reads). */
  sessionId?: string;
  [key: string]: unknown;
}

/**
 * The `tools/list` entry for a 2025-11-25 session: `execution.taskSupport` is how that revision
 * tells a client it may (or must) call the tool as a task. Other sessions get the plain entry.
 */
export function listedTool(tool: ToolDefinition, protocolVersion = ""): Record<string, unknown> {
  const support = legacyTaskSupport(tool);
  return support && protocolVersion >= LEGACY_TASKS_VERSION ? { ...tool.descriptor, execution: { taskSupport: support } } : tool.descriptor;
}

/** `initialize`'s capabilities plus, for 2025-11-25 when some tool may run as a task, `tasks`. */
export const withLegacyTasksCapability = (server: Registry, protocolVersion: string, capabilities: Record<string, unknown>): Record<string, unknown> =>
  hasLegacyTasks(server, protocolVersion) ? { ...capabilities, tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } } : capabilities;
