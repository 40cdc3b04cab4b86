import type { RecordChange } from "@wisp/core";
import type { Commands } from "./commands.js";
import { UpdateConflictError } from "./errors.js";
import { px } from "./keys.js";
import type { RedisReply } from "./port.js";
import { compareAndSet } from "./scripts.js";

/**
 * JSON values under one key each, with a TTL: what sessions and tasks both are. Updates are
 * optimistic compare-and-swap, so a change computed on one instance never overwrites a write
 * another instance made after it read.
 */
export interface JsonRecords<T> {
  /** One round trip: GETEX renews the TTL in the same command that reads. */
  get(id: string, renewTtlMs?: number): Promise<T | undefined>;
  set(id: string, value: T, ttlMs: number): Promise<void>;
  update(id: string, change: RecordChange<T>, ttlMs: number): Promise<T | undefined>;
  /** Resolves true when there was a record. */
  delete(id: string): Promise<boolean>;
}

/**
 * Read-change-write rounds before giving up. Every round some writer wins, so only a crowd this
 * large writing one record at once runs out; it then gets a 503 and retries later.
 */
const MAX_ATTEMPTS = 64;

/**
 * Records stored at `keyOf(id)`.
 * @example
 * const tasks = jsonRecords<Record<string, unknown>>(commands, keys.task, "task");
 * await tasks.update(id, (task) => ({ ...task, status: "completed" }), 60_000);
 */
export function jsonRecords<T>(commands: Commands, keyOf: (id: string) => string, what: string): JsonRecords<T> {
  return {
    async get(id, renewTtlMs) {
      const key = keyOf(id);
      return parse<T>(await commands.run(renewTtlMs === undefined ? ["GET", key] : ["GETEX", key, "PX", px(renewTtlMs)]), key);
    },
    async set(id, value, ttlMs) {
      await commands.run(["SET", keyOf(id), JSON.stringify(value), "PX", px(ttlMs)]);
    },
    async update(id, change, ttlMs) {
      const key = keyOf(id);
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const read = await commands.run(["GET", key]);
        const current = parse<T>(read, key);
        if (current === undefined) return undefined;
        const next = change(current);
        // Nothing to write, so nothing to race: the record stays exactly as read.
        if (next === undefined) return current;
        const written = JSON.stringify(next);
        const outcome = await commands.script(compareAndSet, [key], [read as string, written, px(ttlMs)]);
        // Parsed back so the caller gets what a get() would return (undefined fields dropped).
        if (outcome === 1) return JSON.parse(written) as T;
        if (outcome === -1) return undefined;
        await pause(attempt);
      }
      throw new UpdateConflictError(`the ${what} ${id} changed under ${MAX_ATTEMPTS} update attempts in a row (too many concurrent writers)`);
    },
    async delete(id) {
      return (await commands.run(["DEL", keyOf(id)])) === 1;
    },
  };
}

function parse<T>(reply: RedisReply, key: string): T | undefined {
  if (reply === null) return undefined;
  if (typeof reply !== "string") throw new TypeError(`redisStorage: ${key} holds no JSON string (another program wrote it?)`);
  return JSON.parse(reply) as T;
}

/** A short random wait, growing with each lost round, so colliding writers spread out. */
const pause = (attempt: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 25)));
