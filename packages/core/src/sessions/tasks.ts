import type { RequestWire } from "../context/wire.js";
import { TERMINAL_TASK_STATUSES, type TaskRecord, legacyTaskSupport } from "../features/task-support.js";
import { paginate } from "../features/pagination.js";
import { notifyChannel, taskChannel } from "../protocol/channels.js";
import { ErrorCode, McpError } from "../protocol/errors.js";
import { type JsonRpcRequest, type JsonRpcResponse, errorMessage, notificationMessage, requestMessage, resultMessage, toMcpError } from "../protocol/jsonrpc.js";
import type { Storage } from "../storage/types.js";
import { isObject } from "../util/is-object.js";
import { randomId } from "../util/random-id.js";
import { nextOutgoingId } from "./event-ids.js";
import type { LoadedSession } from "./load.js";
import type { SessionState } from "./state.js";

/**
 * Tasks on the 2025-11-25 leg (the revision's experimental `tasks` utility). Loaded with
 * import() on a session's first task-related request, so servers that never see one don't
 * carry it. Records are the 2026 extension's records in the same task store (same fields,
 * same bus channel for cancellation), so a task is one record whichever era reads it; the
 * 2025 wire names (`ttl`, `pollInterval`, `failed` for an `isError` result) are mapped here.
 */

const RELATED_TASK = "io.modelcontextprotocol/related-task";
const TERMINAL = TERMINAL_TASK_STATUSES;
/** tasks/list keeps at most this many task ids per caller; older ones drop out of the list (and expire anyway). */
const INDEX_LIMIT = 1000;
/** Index records sit in the task store too; this principal matches no caller, so no tasks/get of either era reads one. */
const INDEX_OWNER = "\u0000wisp:task-index";

type Rerun = (wire: RequestWire) => Promise<string>;
type TaskEvent = { type: "answered" | "cancelled" | "ended" };

/**
 * Answers a 2025-11-25 task request (tools/call with `task`, tasks/*), or resolves undefined to
 * let the call run as usual. `rerun` runs the same call through the ordinary path on another wire.
 */
export async function onTaskRequest(state: SessionState, message: JsonRpcRequest, session: LoadedSession, wire: RequestWire, rerun: Rerun): Promise<string | undefined> {
  if (wire instanceof TaskWire) return undefined; // the task's own run of the call
  const params = message.params ?? {};
  const { storage } = state.server;
  const caller = { principal: session.record.principal, sessionId: session.sessionId };
  try {
    switch (message.method) {
      case "tools/call":
        return await startTask(state, message, session, rerun);
      case "tasks/get":
        return resultMessage(message.id, wireTask(await load(storage, params.taskId, caller)));
      case "tasks/result":
        return await taskResult(storage, message, caller, wire.signal);
      case "tasks/list":
        return resultMessage(message.id, await listTasks(storage, params.cursor, caller, session.record.paginationLimit ?? state.server.options.paginationLimit));
      case "tasks/cancel":
        return resultMessage(message.id, await cancelTask(storage, params.taskId, caller));
      default:
        return undefined;
    }
  } catch (error) {
    return errorMessage(message.id, toMcpError(error));
  }
}

async function startTask(state: SessionState, message: JsonRpcRequest, session: LoadedSession, rerun: Rerun): Promise<string | undefined> {
  const params = message.params ?? {};
  const name = params.name;
  const tool = typeof name === "string" ? state.server.tools.get(name) : undefined;
  const support = legacyTaskSupport(tool);
  if (params.task === undefined) {
    if (support !== "required") return undefined;
    throw new McpError(ErrorCode.MethodNotFound, `Tool ${String(name)} must be called as a task (its execution.taskSupport is "required"): add "task": {} to the tools/call params`);
  }
  // Unknown tools (a 2026-only one included, and this session's own tools) take the ordinary path, which names the problem.
  if (!tool || tool.config.era === "modern") return undefined;
  if (!support) throw new McpError(ErrorCode.MethodNotFound, `Tool ${String(name)} cannot be called as a task (its execution.taskSupport is "forbidden"): call it without "task"`);
  if (!isObject(params.task)) throw new McpError(ErrorCode.InvalidParams, 'tools/call: "task" must be an object ({} or { "ttl": milliseconds })');

  const { storage, options } = state.server;
  const requested = params.task.ttl;
  // The server's lifetime is the ceiling: a client may ask for less, never more (the spec lets receivers override).
  const ttlMs = typeof requested === "number" && requested > 0 ? Math.min(Math.round(requested), options.tasks.ttlMs) : options.tasks.ttlMs;
  const now = new Date().toISOString();
  const principal = session.record.principal;
  const record: TaskRecord = {
    taskId: randomId(),
    status: "working",
    createdAt: now,
    lastUpdatedAt: now,
    ttlMs,
    pollIntervalMs: options.tasks.pollIntervalMs,
    answers: {},
    ...(principal === undefined ? { sessionId: session.sessionId } : { principal }),
  };
  // Durable before the client hears the id: tasks/get on any instance finds it at once.
  await storage.tasks.set(record.taskId, record, ttlMs);
  await addToIndex(storage, { principal, sessionId: session.sessionId }, record.taskId, options.tasks.ttlMs);

  const taskWire = new TaskWire(state, session.sessionId, record);
  const unsubscribe = await storage.bus.subscribe(taskChannel(record.taskId), (event) => {
    if ((event as TaskEvent).type === "cancelled") taskWire.cancel();
  });
  void rerun(taskWire)
    .finally(() => unsubscribe().catch(() => {}))
    .then(async (answer) => {
      const outcome = JSON.parse(answer) as { result?: Record<string, unknown>; error?: TaskRecord["error"] };
      const ended = await change(storage, record.taskId, ttlMs, (task) => {
        if (outcome.result) {
          task.status = "completed";
          // Stored as the 2026 leg stores it; the 2025 edge reads an isError result as "failed".
          task.result = { ...outcome.result, resultType: "complete" };
        } else {
          task.status = "failed";
          task.error = outcome.error ?? new McpError(ErrorCode.InternalError, "Internal error").toJSON();
        }
      });
      await storage.bus.publish(taskChannel(record.taskId), { type: "ended" } satisfies TaskEvent);
      if (ended && TERMINAL.has(ended.status)) await taskWire.announce(ended);
    })
    .catch(() => {}); // storage unreachable: the record expires with its ttl
  return resultMessage(message.id, { task: wireTask(record) });
}

/**
 * Where the handler of a 2025 task talks: its call was already answered with CreateTaskResult,
 * so notifications and server→client requests go to the session's GET stream, tagged with the
 * task (related-task), and the task is input_required while the client owes an answer.
 */
class TaskWire implements RequestWire {
  readonly #controller = new AbortController();
  constructor(
    readonly state: SessionState,
    readonly sessionId: string,
    readonly record: TaskRecord,
  ) {}

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  cancel(): void {
    this.#controller.abort(new McpError(ErrorCode.RequestTimeout, "The task was cancelled by the client"));
  }

  #send(message: string): Promise<void> {
    return this.state.server.storage.bus.publish(notifyChannel(this.sessionId), message);
  }

  #related(params: Record<string, unknown>): Record<string, unknown> {
    return { ...params, _meta: { ...(isObject(params._meta) ? params._meta : {}), [RELATED_TASK]: { taskId: this.record.taskId } } };
  }

  notify(method: string, params: Record<string, unknown>): void {
    void this.#send(notificationMessage(method, this.#related(params))).catch(() => {});
  }

  /** notifications/tasks/status (optional in the spec): the full task, without related-task (the id is in it). */
  announce(record: TaskRecord): Promise<void> {
    return this.#send(notificationMessage("notifications/tasks/status", wireTask(record))).catch(() => {});
  }

  async ask(method: string, params: Record<string, unknown>, signal: AbortSignal): Promise<Record<string, unknown>> {
    const { control, server } = this.state;
    const { storage, options } = server;
    const { taskId, ttlMs } = this.record;
    const id = nextOutgoingId();
    const { reply, dispose } = await control.awaitReply(this.sessionId, id);
    const setStatus = (status: "working" | "input_required") =>
      change(storage, taskId, ttlMs, (task) => {
        task.status = status;
      }).then((stored) => stored && this.announce(stored));
    try {
      await setStatus("input_required");
      await this.#send(requestMessage(id, method, this.#related(params)));
      const response = await settle(reply, signal, options.clientRequestTimeout, method);
      if ("error" in response) throw new McpError(response.error.code, response.error.message, response.error.data);
      return response.result;
    } finally {
      dispose();
      await setStatus("working").catch(() => {});
    }
  }

  closeStream(): void {} // nothing is streamed to the task's caller
}

function settle(reply: Promise<JsonRpcResponse>, signal: AbortSignal, timeoutMs: number, method: string): Promise<JsonRpcResponse> {
  return new Promise((resolve, reject) => {
    const stop = (error: McpError) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      reject(error);
    };
    const onAbort = () => stop(new McpError(ErrorCode.RequestTimeout, `${method} was abandoned: ${String(signal.reason ?? "task cancelled")}`));
    const timer = setTimeout(() => stop(new McpError(ErrorCode.RequestTimeout, `The client did not answer ${method} within ${timeoutMs} ms`)), timeoutMs);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    reply.then((response) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolve(response);
    }, stop);
  });
}

interface Caller {
  principal: string | undefined;
  sessionId: string;
}

const unknownTask = (taskId: unknown) => new McpError(ErrorCode.InvalidParams, `Failed to retrieve task: Task not found (${String(taskId)}; it may have expired)`);

/** Another caller's task (or an index record) looks exactly like a missing one. */
async function load(storage: Storage, taskId: unknown, caller: Caller): Promise<TaskRecord> {
  if (typeof taskId !== "string" || taskId === "") throw new McpError(ErrorCode.InvalidParams, '"taskId" must be a non-empty string');
  const record = (await storage.tasks.get(taskId)) as TaskRecord | undefined;
  if (!record || !ownedBy(record, caller)) throw unknownTask(taskId);
  return record;
}

function ownedBy(record: TaskRecord, caller: Caller): boolean {
  if ((record.principal ?? "") !== (caller.principal ?? "")) return false;
  return caller.principal !== undefined || record.sessionId === undefined || record.sessionId === caller.sessionId;
}

/** Compare-and-swap on a copy; a task that ended never changes again (a cancelled one stays cancelled). */
function change(storage: Storage, taskId: string, ttlMs: number, edit: (task: TaskRecord) => void): Promise<TaskRecord | undefined> {
  return storage.tasks.update(
    taskId,
    (current) => {
      if (TERMINAL.has(current.status as string)) return undefined;
      const next = structuredClone(current) as TaskRecord;
      edit(next);
      next.lastUpdatedAt = new Date().toISOString();
      return next;
    },
    ttlMs,
  ) as Promise<TaskRecord | undefined>;
}

/** A stored record as the 2025-11-25 `Task`. A tool result with `isError` is a failed task there. */
export function wireTask(record: TaskRecord): Record<string, unknown> {
  const failed = record.status === "failed" || (record.status === "completed" && record.result?.isError === true);
  const statusMessage = record.statusMessage ?? (record.status === "failed" ? record.error?.message : undefined);
  const task: Record<string, unknown> = {
    taskId: record.taskId,
    status: failed ? "failed" : record.status,
    createdAt: record.createdAt,
    lastUpdatedAt: record.lastUpdatedAt,
    ttl: record.ttlMs,
    pollInterval: record.pollIntervalMs,
  };
  if (statusMessage) task.statusMessage = statusMessage;
  return task;
}

/** tasks/result: blocks while the task runs, then answers exactly what the call would have. */
async function taskResult(storage: Storage, message: JsonRpcRequest, caller: Caller, signal: AbortSignal): Promise<string> {
  const taskId = message.params?.taskId;
  let record = await load(storage, taskId, caller);
  if (!TERMINAL.has(record.status)) record = await untilEnded(storage, record, caller, signal);
  const related = { [RELATED_TASK]: { taskId: record.taskId } };
  if (record.status === "completed" && record.result) {
    const { resultType: _r, ...result } = record.result;
    return resultMessage(message.id, { ...result, _meta: { ...(isObject(result._meta) ? result._meta : {}), ...related } });
  }
  if (record.status === "failed") return errorMessage(message.id, record.error ?? new McpError(ErrorCode.InternalError, "Internal error"));
  throw new McpError(ErrorCode.InvalidParams, `Task ${record.taskId} was cancelled: it has no result`);
}

/** Wakes on the task's bus events and also polls the store, so a task run by any instance (or era) is seen ending. */
async function untilEnded(storage: Storage, record: TaskRecord, caller: Caller, signal: AbortSignal): Promise<TaskRecord> {
  let wake: () => void = () => {};
  const unsubscribe = await storage.bus.subscribe(taskChannel(record.taskId), () => wake());
  try {
    for (;;) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(done, Math.max(100, record.pollIntervalMs));
        function done() {
          clearTimeout(timer);
          signal.removeEventListener("abort", onAbort);
          resolve();
        }
        const onAbort = () => {
          clearTimeout(timer);
          reject(new McpError(ErrorCode.RequestTimeout, "tasks/result was cancelled; the task goes on (poll tasks/get)"));
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener("abort", onAbort, { once: true });
        wake = done;
      });
      record = await load(storage, record.taskId, caller);
      if (TERMINAL.has(record.status)) return record;
    }
  } finally {
    await unsubscribe().catch(() => {});
  }
}

async function cancelTask(storage: Storage, taskId: unknown, caller: Caller): Promise<Record<string, unknown>> {
  const record = await load(storage, taskId, caller);
  const alreadyEnded = (ended: TaskRecord) =>
    new McpError(ErrorCode.InvalidParams, `Cannot cancel task: already in terminal status '${wireTask(ended).status as string}'`);
  if (TERMINAL.has(record.status)) throw alreadyEnded(record);
  const stored = await change(storage, record.taskId, record.ttlMs, (task) => {
    task.status = "cancelled";
    task.statusMessage = "Cancelled by the client";
    delete task.inputRequests;
  });
  if (!stored) throw unknownTask(taskId);
  if (stored.status !== "cancelled") throw alreadyEnded(stored);
  // The same event the 2026 leg's runner listens for: whichever era started it, its handler stops.
  await storage.bus.publish(taskChannel(record.taskId), { type: "cancelled" } satisfies TaskEvent);
  return wireTask(stored);
}

const indexKey = (caller: Caller) => `${INDEX_OWNER}:${caller.principal === undefined ? `s:${caller.sessionId}` : `p:${caller.principal}`}`;

async function addToIndex(storage: Storage, caller: Caller, taskId: string, ttlMs: number): Promise<void> {
  const key = indexKey(caller);
  const append = (current: Record<string, unknown>) => ({ ...current, ids: [...((current.ids as string[] | undefined) ?? []), taskId].slice(-INDEX_LIMIT) });
  const stored = await storage.tasks.update(key, append, ttlMs);
  // A first task makes the index; two first tasks at once may lose one id from the list, never the task.
  if (!stored) await storage.tasks.set(key, { principal: INDEX_OWNER, ids: [taskId] }, ttlMs);
}

async function listTasks(storage: Storage, cursor: unknown, caller: Caller, limit: number | undefined): Promise<Record<string, unknown>> {
  const index = await storage.tasks.get(indexKey(caller));
  const ids = (index?.ids as string[] | undefined) ?? [];
  const records = await Promise.all(ids.map((id) => storage.tasks.get(id) as Promise<TaskRecord | undefined>));
  const tasks = records.filter((record): record is TaskRecord => record !== undefined && ownedBy(record, caller)).map(wireTask);
  const { page, nextCursor } = paginate(tasks, cursor, limit);
  return nextCursor ? { tasks: page, nextCursor } : { tasks: page };
}
