/**
 * The 2025-era sessions fuzzed requests name, per target: a small pool of live sessions of each
 * kind (renewed before they could idle out), one ended session, and sessions made for one plan.
 */
import type { SessionFacts, SessionRef, WireRequest } from "./model.js";
import type { Target } from "./targets/http.js";

const ACCEPT = "application/json, text/event-stream";
const POOL_SIZE = 3;
/** Renewed well before the server's 30 s idle timeout could end it under us. */
const POOL_MAX_IDLE_MS = 15_000;

interface PoolKind {
  version: string;
  capabilities: Record<string, unknown>;
}
const KINDS: Record<"live" | "live-0326" | "live-elicit", PoolKind> = {
  live: { version: "2025-11-25", capabilities: {} },
  "live-0326": { version: "2025-03-26", capabilities: {} },
  "live-elicit": { version: "2025-11-25", capabilities: { elicitation: {} } },
};

interface Pooled {
  id: string;
  version: string;
  lastUsed: number;
}

/** A session resolved for one request: what to send, and what the oracle should assume. */
export interface ResolvedSession {
  sessionId?: string;
  facts: SessionFacts;
}

/** The session a plan made for itself, and whether a DELETE ended it. */
export interface OwnSession {
  id?: string;
  ended?: boolean;
}

const post = (body: unknown, headers: Record<string, string> = {}): WireRequest => ({
  method: "POST",
  path: "/mcp",
  headers: Object.entries({ "content-type": "application/json", accept: ACCEPT, ...headers }),
  body: new TextEncoder().encode(JSON.stringify(body)),
});

export class SessionPool {
  readonly #target: Target;
  readonly #pools = new Map<string, Pooled[]>();
  #deleted: Promise<string> | undefined;
  /** Failures of the setup requests themselves: a normal client's initialize must always work. */
  readonly setupFailures: string[] = [];
  setupRequests = 0;

  constructor(target: Target) {
    this.#target = target;
  }

  /** initialize (+ notifications/initialized unless told not to); resolves with the session id. */
  async open(version: string, capabilities: Record<string, unknown>, initialized = true): Promise<string> {
    this.setupRequests++;
    const init = await this.#target.send(post({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: version, capabilities, clientInfo: { name: "fuzz-setup", version: "1" } } }), { finalId: 0 });
    const id = init.headers["mcp-session-id"];
    if (init.status !== 200 || !id) throw this.#fail(`initialize answered ${init.status} ${init.failure ?? init.text.slice(0, 200)}`);
    if (initialized) {
      this.setupRequests++;
      const note = await this.#target.send(post({ jsonrpc: "2.0", method: "notifications/initialized" }, { "mcp-session-id": id, "mcp-protocol-version": version }), {});
      if (note.status !== 202) throw this.#fail(`notifications/initialized answered ${note.status} ${note.text.slice(0, 200)}`);
    }
    return id;
  }

  async end(id: string): Promise<void> {
    this.setupRequests++;
    const answer = await this.#target.send({ method: "DELETE", path: "/mcp", headers: [["mcp-session-id", id]], body: null }, {});
    if (answer.status < 200 || answer.status > 299) throw this.#fail(`DELETE answered ${answer.status} ${answer.text.slice(0, 200)}`);
  }

  #fail(why: string): Error {
    this.setupFailures.push(`${this.#target.name}: ${why}`);
    return new Error(why);
  }

  async #pooled(kind: keyof typeof KINDS): Promise<Pooled> {
    let pool = this.#pools.get(kind);
    if (!pool) this.#pools.set(kind, (pool = []));
    const now = Date.now();
    // Drop sessions that sat unused long enough to risk the idle timeout.
    for (let i = pool.length - 1; i >= 0; i--) if (now - pool[i].lastUsed > POOL_MAX_IDLE_MS) pool.splice(i, 1);
    if (pool.length < POOL_SIZE) {
      const { version, capabilities } = KINDS[kind];
      const entry = { id: await this.open(version, capabilities), version, lastUsed: now };
      pool.push(entry);
      return entry;
    }
    const entry = pool[Math.floor(Math.random() * pool.length)];
    entry.lastUsed = now;
    return entry;
  }

  async resolve(ref: SessionRef, own: OwnSession): Promise<ResolvedSession> {
    if (ref === "none") return { facts: { state: "none" } };
    if (ref === "unknown") return { sessionId: `unknown-${Math.random().toString(36).slice(2)}`, facts: { state: "unknown" } };
    if (typeof ref === "object") return { sessionId: ref.lit, facts: { state: ref.lit.trim() === "" ? "none" : "unknown" } };
    if (ref === "deleted") {
      this.#deleted ??= this.open("2025-11-25", {}).then(async (id) => (await this.end(id), id));
      return { sessionId: await this.#deleted, facts: { state: "deleted" } };
    }
    if (ref === "own") {
      // Made on first use and never initialized: calls before notifications/initialized are part of the test.
      own.id ??= await this.open("2025-11-25", {}, false);
      return { sessionId: own.id, facts: own.ended ? { state: "deleted" } : { state: "live", version: "2025-11-25" } };
    }
    const entry = await this.#pooled(ref);
    return { sessionId: entry.id, facts: { state: "live", version: entry.version } };
  }
}
