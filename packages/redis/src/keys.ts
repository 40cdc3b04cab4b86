/**
 * The key layout. Every key of one session carries the `{<sessionId>}` hash tag, so they live
 * in one Redis Cluster slot and a Lua script may touch several of them; a task's key is tagged
 * with its own id. Bus channels are prefixed too: pub/sub ignores SELECT, so the prefix is what
 * keeps two apps on one Redis apart.
 */
export interface KeyLayout {
  /** The session record (JSON string). */
  session(sessionId: string): string;
  /** One SSE stream's events, oldest first (list of JSON strings). */
  events(sessionId: string, streamId: string): string;
  /** The ids of a session's streams (set), so deleteSession finds every list. */
  streams(sessionId: string): string;
  /** The session's GET-stream lease (string: the owner). */
  lease(sessionId: string): string;
  /** A task record (JSON string). */
  task(taskId: string): string;
  /** A bus channel. */
  channel(name: string): string;
}

/**
 * Keys under `prefix`, e.g. `wisp:{s1}:session`, `wisp:{s1}:events:p1`, `wisp:task:{t1}`.
 * @example
 * keyLayout("wisp").events("s1", "p1") // "wisp:{s1}:events:p1"
 */
export function keyLayout(prefix: string): KeyLayout {
  // A brace in the prefix would become the hash tag of every key, putting all of them in one slot.
  if (/[{}]/.test(prefix)) throw new TypeError(`redisStorage: prefix must not contain "{" or "}" (got ${JSON.stringify(prefix)})`);
  const tag = (id: string, what: string) => {
    // "{}" is no hash tag at all: the keys of one session would scatter over the cluster.
    if (id === "") throw new TypeError(`redisStorage: an empty ${what} id has no key`);
    return `{${id}}`;
  };
  const session = (sessionId: string) => `${prefix}:${tag(sessionId, "session")}`;
  return {
    session: (sessionId) => `${session(sessionId)}:session`,
    events: (sessionId, streamId) => `${session(sessionId)}:events:${streamId}`,
    streams: (sessionId) => `${session(sessionId)}:streams`,
    lease: (sessionId) => `${session(sessionId)}:lease`,
    task: (taskId) => `${prefix}:task:${tag(taskId, "task")}`,
    channel: (name) => `${prefix}:bus:${name}`,
  };
}

/**
 * A TTL as Redis takes it after PX / PEXPIRE: a whole number of milliseconds, at least 1
 * (PX 0 is an error, and a fraction would be refused).
 * @example
 * px(1500.2) // "1501"
 */
export function px(ttlMs: number): string {
  if (!Number.isFinite(ttlMs)) throw new TypeError(`redisStorage: a TTL must be a finite number of ms (got ${ttlMs})`);
  return String(Math.max(1, Math.ceil(ttlMs)));
}
