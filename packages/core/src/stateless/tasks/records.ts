import { randomId } from "../../util/random-id.js";
import { taskChannel } from "../../protocol/channels.js";
import { ErrorCode, McpError } from "../../protocol/errors.js";
import type { Storage } from "../../storage/types.js";
import type { StatelessState } from "../state.js";
import { TERMINAL_TASK_STATUSES, type TaskRecord, type TaskStatus } from "../../features/task-support.js";

export type { TaskRecord, TaskStatus };
const TERMINAL = TERMINAL_TASK_STATUSES;

export type TaskEvent = { type: "answered" } | { type: "cancelled" };

/**
 * Task records in storage, so tasks/get, tasks/update and tasks/cancel work on any
 * instance; the instance running the handler listens on the task's bus channel.
 */
export class TaskRecords {
  constructor(
    readonly storage: Storage,
    readonly ttlMs: number,
    readonly pollIntervalMs: number,
  ) {}

  /** Durable before it returns: tasks/get resolves as soon as the client sees the id. */
  async create(principal: string | undefined): Promise<TaskRecord> {
    const now = new Date().toISOString();
    const record: TaskRecord = {
      taskId: randomId(),
      status: "working",
      createdAt: now,
      lastUpdatedAt: now,
      ttlMs: this.ttlMs,
      pollIntervalMs: this.pollIntervalMs,
      answers: {},
      ...(principal === undefined ? {} : { principal }),
    };
    await this.storage.tasks.set(record.taskId, record, this.ttlMs);
    return record;
  }

  async load(taskId: unknown, principal: string | undefined): Promise<TaskRecord> {
    const record = typeof taskId === "string" ? ((await this.storage.tasks.get(taskId)) as TaskRecord | undefined) : undefined;
    // Another caller's task looks exactly like a missing one.
    if (!record || (record.principal ?? "") !== (principal ?? "")) {
      throw new McpError(ErrorCode.InvalidParams, `Unknown task: ${String(taskId)} (it may have expired)`);
    }
    return record;
  }

  /**
   * Applies a change unless the task already ended (a cancelled task stays cancelled), by
   * compare-and-swap in storage: a cancel on one instance and an update on another never
   * overwrite each other.
   */
  async change(taskId: string, change: (record: TaskRecord) => void): Promise<TaskRecord | undefined> {
    const stored = await this.storage.tasks.update(
      taskId,
      (current) => {
        const record = current as TaskRecord;
        if (TERMINAL.has(record.status)) return undefined;
        // The storage may call this again after a conflict: work on a copy, never on `current`.
        const next = structuredClone(record);
        change(next);
        next.lastUpdatedAt = new Date().toISOString();
        return next;
      },
      this.ttlMs,
    );
    return stored as TaskRecord | undefined;
  }

  /** tasks/update: records answers, drops them from the pending set, wakes the handler. */
  async answer(taskId: string, principal: string | undefined, responses: Record<string, unknown>): Promise<void> {
    await this.load(taskId, principal);
    await this.change(taskId, (record) => {
      Object.assign(record.answers, responses);
      if (!record.inputRequests) return;
      for (const key of Object.keys(responses)) delete record.inputRequests[key];
      if (Object.keys(record.inputRequests).length === 0) {
        delete record.inputRequests;
        if (record.status === "input_required") record.status = "working";
      }
    });
    await this.storage.bus.publish(taskChannel(taskId), { type: "answered" } satisfies TaskEvent);
  }

  /** tasks/cancel: cooperative; an already finished task just gets the same ack. */
  async cancel(taskId: string, principal: string | undefined): Promise<void> {
    await this.load(taskId, principal);
    const record = await this.change(taskId, (r) => {
      r.status = "cancelled";
      r.statusMessage = "Cancelled by the client";
      delete r.inputRequests;
    });
    if (record?.status === "cancelled") await this.storage.bus.publish(taskChannel(taskId), { type: "cancelled" } satisfies TaskEvent);
  }
}

/** The wire form of a task for tasks/get (DetailedTask): result, error or inputRequests inlined by status. */
export function detailedTask(record: TaskRecord): Record<string, unknown> {
  const task: Record<string, unknown> = {
    resultType: "complete",
    taskId: record.taskId,
    status: record.status,
    createdAt: record.createdAt,
    lastUpdatedAt: record.lastUpdatedAt,
    ttlMs: record.ttlMs,
    pollIntervalMs: record.pollIntervalMs,
  };
  if (record.statusMessage) task.statusMessage = record.statusMessage;
  if (record.status === "completed" && record.result) task.result = record.result;
  if (record.status === "failed" && record.error) task.error = record.error;
  if (record.status === "input_required" && record.inputRequests) task.inputRequests = record.inputRequests;
  return task;
}

/** The flat CreateTaskResult a tools/call answers with when it became a task. */
export function createTaskResult(record: TaskRecord): Record<string, unknown> {
  const { taskId, status, createdAt, lastUpdatedAt, ttlMs, pollIntervalMs } = record;
  return { resultType: "task", taskId, status, createdAt, lastUpdatedAt, ttlMs, pollIntervalMs };
}

const recordsOf = new WeakMap<StatelessState, TaskRecords>();

/** The task records of one server's stateless leg, shared by every instance through its storage. */
export function taskRecords(state: StatelessState): TaskRecords {
  let store = recordsOf.get(state);
  if (store === undefined) {
    const { options, storage } = state.server;
    store = new TaskRecords(storage, options.tasks.ttlMs, options.tasks.pollIntervalMs);
    recordsOf.set(state, store);
  }
  return store;
}
