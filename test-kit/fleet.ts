/**
 * A scale-out fleet for tests: one real redis-server, N conformance fixture processes on
 * 127.0.0.1 sharing its REDIS_URL (Node, Bun or Deno), and the round-robin proxy in front.
 * Members start on a port of their own choosing (PORT=0) and keep it for life, so one can be
 * killed with SIGKILL and restarted where the proxy expects it. Every process is stopped by PID.
 */
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { type Running, root, scriptCommand, startProcess, stop, withTimeout } from "./process.js";
import { type RedisServer, startRedis } from "./redis.js";
import { type RoundRobin, startRoundRobin } from "./round-robin.js";

export type FixtureRuntime = "node" | "bun" | "deno";

export interface FleetOptions {
  /** How many fixture processes. Default 2. */
  size?: number;
  /** Default "node". */
  runtime?: FixtureRuntime;
  /** Added to every member's environment (WISP_KEEPALIVE_MS, WISP_SESSION_TIMEOUT_MS, …). */
  env?: Record<string, string>;
  /** A redis-server to share (not stopped with the fleet); default: one of the fleet's own. */
  redis?: RedisServer;
  /** Bound of one member's start (ms). Default 40 000. */
  startTimeoutMs?: number;
  /** Runs this instead of the runtime's fixture command (e.g. a fixture entry of your own). */
  command?: { bin: string; args: string[]; env?: Record<string, string> };
}

/** One fixture process of the fleet. */
export interface Member {
  index: number;
  /** Known once it started (it picks its own the first time). */
  port: number;
  /** `http://127.0.0.1:<port>/mcp`, as the process printed it. */
  url: string;
  /** The running process, or undefined while it is down. */
  running: Running | undefined;
  /** Everything it printed, across restarts. */
  output(): string;
}

export interface Fleet {
  runtime: FixtureRuntime;
  redis: RedisServer;
  proxy: RoundRobin;
  /** The proxy's MCP endpoint: `http://127.0.0.1:<port>/mcp`. */
  url: string;
  members: Member[];
  /** SIGKILL (kill -9), then waits (bounded) until the process is gone. */
  kill(index: number): Promise<void>;
  /** SIGSTOP: the process freezes (its connections stay open but nothing is read or answered). */
  pause(index: number): void;
  /** SIGCONT after `pause`. */
  resume(index: number): void;
  /** Starts a stopped or killed member again on its port. */
  restart(index: number): Promise<void>;
  /** Every member's output, labelled (for failure messages). */
  outputs(): string;
  /** Stops the proxy, every member (SIGTERM, then SIGKILL) and the fleet's own redis-server. */
  stop(): Promise<void>;
}

/** The command that starts one fixture process of `runtime`, as the repository's scripts start it. */
export function fixtureCommand(runtime: FixtureRuntime): { bin: string; args: string[]; env: Record<string, string> } {
  if (runtime === "node") {
    // `npm run fixture` as one process: tsx's CLI would run the server in a child process that a
    // SIGKILL of the CLI leaves behind.
    return { bin: process.execPath, args: ["--conditions=wisp-source", "--import", "tsx", join(root, "examples/conformance/src/main.ts")], env: {} };
  }
  return scriptCommand(runtime === "bun" ? "fixture:bun" : "fixture:deno");
}

const alive = (running: Running | undefined) => running !== undefined && running.child.exitCode === null && running.child.signalCode === null;

/** Starts redis (unless given), `size` fixture processes on it, and the proxy in front of them. */
export async function startFleet(options: FleetOptions = {}): Promise<Fleet> {
  const { size = 2, runtime = "node", env = {}, startTimeoutMs = 40_000 } = options;
  const ownRedis = options.redis === undefined;
  const redis = options.redis ?? (await startRedis());
  const command = options.command ? { env: {}, ...options.command } : fixtureCommand(runtime);
  const logs: string[] = [];
  const members: Member[] = [];
  const launch = async (member: Member) => {
    const before = logs[member.index] ?? "";
    // The first start takes any free port (PORT=0, no race with other tests); a restart takes the same one again.
    const running = await startProcess(command.bin, command.args, {
      env: { ...command.env, NO_COLOR: "1", ...env, PORT: String(member.port), REDIS_URL: redis.url },
      timeoutMs: startTimeoutMs,
      what: `fixture ${member.index} (${runtime}) on port ${member.port || "0"}`,
    });
    if (member.port === 0) {
      member.url = running.url;
      member.port = Number(new URL(running.url).port);
    } else if (running.url !== member.url) {
      await stop(running.child);
      throw new Error(`fixture ${member.index} came back on ${running.url}, not ${member.url}`);
    }
    member.running = running;
    member.output = () => before + running.output();
    running.child.once("exit", () => (logs[member.index] = member.output()));
  };
  let proxy: RoundRobin | undefined;
  try {
    for (let index = 0; index < size; index++) {
      members.push({ index, port: 0, url: "", running: undefined, output: () => logs[index] ?? "" });
    }
    // Settled, not raced: a member still starting when another failed must not be left behind.
    const launched = await Promise.allSettled(members.map(launch));
    const failed = launched.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
    if (failed) throw failed.reason;
    proxy = await startRoundRobin(members.map((m) => `http://127.0.0.1:${m.port}`));
  } catch (error) {
    await Promise.all(members.map((m) => (m.running ? stop(m.running.child) : undefined)));
    if (ownRedis) await redis.stop();
    throw error;
  }
  const fleet: Fleet = {
    runtime,
    redis,
    proxy,
    url: `${proxy.url}/mcp`,
    members,
    async kill(index) {
      const { running } = members[index];
      if (!alive(running)) return;
      const exited = new Promise<void>((resolve) => running!.child.once("exit", () => resolve()));
      running!.child.kill("SIGKILL");
      await withTimeout(exited, 5_000, `fixture ${index} to die of SIGKILL`);
      await stop(running!.child); // forgets it (already dead)
    },
    pause(index) {
      members[index].running?.child.kill("SIGSTOP");
    },
    resume(index) {
      members[index].running?.child.kill("SIGCONT");
    },
    async restart(index) {
      const member = members[index];
      if (alive(member.running)) throw new Error(`fixture ${index} is still running`);
      await launch(member);
    },
    outputs: () => members.map((m) => `--- fixture ${m.index} (${runtime}, port ${m.port}) ---\n${m.output()}`).join("\n"),
    async stop() {
      await proxy!.close();
      for (const member of members) if (alive(member.running)) member.running!.child.kill("SIGCONT");
      await Promise.all(members.map((m) => (m.running ? stop(m.running.child) : undefined)));
      if (ownRedis) await redis.stop();
    },
  };
  return fleet;
}

/** Starts a fleet before the current suite's tests and stops it after them. */
export function useFleet(options: FleetOptions = {}, hookTimeoutMs = 90_000): () => Fleet {
  let fleet: Fleet | undefined;
  beforeAll(async () => {
    fleet = await startFleet(options);
  }, hookTimeoutMs);
  afterAll(async () => {
    await fleet?.stop();
  }, 30_000);
  // CI shows only the end of a run: a failed test names what each instance printed (a crash, an exit).
  // A member a failed test left dead (killed, not yet restarted) is started again, so one failure
  // does not fail every test after it.
  afterEach(async (context) => {
    if (!fleet || context.task.result?.state !== "fail") return;
    const exits = fleet.members.map((m) => `fixture ${m.index}: ${alive(m.running) ? "running" : `not running (exit ${m.running?.child.exitCode ?? "?"}, signal ${m.running?.child.signalCode ?? "-"})`}`);
    console.error(`[fleet] after a failed test:\n${exits.join("\n")}\n${fleet.outputs().slice(-6_000)}`);
    for (const member of fleet.members) {
      if (!alive(member.running)) await fleet.restart(member.index);
    }
  }, 60_000);
  return () => {
    if (!fleet) throw new Error("the fleet did not start (see the beforeAll error)");
    return fleet;
  };
}

// ---------- raw 2025-era requests and SSE, for scale-out scenarios ----------

export type Json = Record<string, any>;
const LATEST = "2025-11-25";
const ACCEPT = "application/json, text/event-stream";

/** One SSE event as it came over the wire; `message` is its data parsed (undefined for an empty data line). */
export interface SseEvent {
  id?: string;
  data: string;
  retry?: number;
  message?: Json;
}

/**
 * An SSE response read in the background as it arrives: every event is kept in order, and a
 * test waits (bounded) for an event matching a predicate or for the stream's end.
 */
export class SseStream {
  readonly events: SseEvent[] = [];
  ended = false;
  error: unknown;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #wake = new Set<() => void>();
  readonly done: Promise<void>;

  constructor(readonly response: Response) {
    if (!response.body) throw new Error(`no body to read (status ${response.status})`);
    this.#reader = response.body.getReader();
    this.done = this.#pump();
  }

  /** The parsed JSON-RPC messages, in order (priming events left out). */
  get messages(): Json[] {
    return this.events.filter((event) => event.message !== undefined).map((event) => event.message!);
  }

  /** The ids of every event, in order. */
  get ids(): string[] {
    return this.events.map((event) => event.id).filter((id): id is string => id !== undefined);
  }

  async #pump(): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for (;;) {
        const { done, value } = await this.#reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
        let end: number;
        while ((end = buffer.indexOf("\n\n")) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          this.#parse(block);
        }
      }
    } catch (error) {
      this.error = error;
    } finally {
      this.ended = true;
      this.#notify();
    }
  }

  #parse(block: string): void {
    const event: SseEvent = { data: "" };
    const data: string[] = [];
    let any = false;
    for (const line of block.split("\n")) {
      if (line === "" || line.startsWith(":")) continue; // comments (keep-alives)
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      any = true;
      if (field === "id") event.id = value;
      else if (field === "retry") event.retry = Number(value);
      else if (field === "data") data.push(value);
    }
    if (!any) return;
    event.data = data.join("\n");
    if (event.data !== "") event.message = JSON.parse(event.data) as Json;
    this.events.push(event);
    this.#notify();
  }

  #notify(): void {
    for (const wake of [...this.#wake]) wake();
  }

  /** Resolves when `check()` holds (checked now and after every event); rejects after `ms` or when the stream ends first. */
  #until<T>(check: () => T | undefined, ms: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`timed out after ${ms} ms waiting for ${what}; events so far:\n${this.transcript()}`)), ms);
      const finish = (error?: Error, value?: T) => {
        clearTimeout(timer);
        this.#wake.delete(wake);
        if (error) reject(error);
        else resolve(value as T);
      };
      const wake = () => {
        const value = check();
        if (value !== undefined) return finish(undefined, value);
        if (this.ended) finish(new Error(`the stream ended (${String(this.error ?? "cleanly")}) before ${what}; events:\n${this.transcript()}`));
      };
      this.#wake.add(wake);
      wake();
    });
  }

  /** The first event (from the start) whose message matches; waits for it. */
  waitFor(match: (message: Json, event: SseEvent) => boolean, ms: number, what: string): Promise<SseEvent> {
    return this.#until(() => this.events.find((event) => event.message !== undefined && match(event.message, event)), ms, what);
  }

  /** Waits until at least `count` events (priming included) arrived. */
  waitForCount(count: number, ms: number, what: string): Promise<SseEvent> {
    return this.#until(() => (this.events.length >= count ? this.events[count - 1] : undefined), ms, what);
  }

  /** Resolves once the stream ended (the server closed it or the connection broke). */
  async waitEnd(ms: number, what: string): Promise<void> {
    await withTimeout(this.done, ms, `${what}; events so far:\n${this.transcript()}`);
  }

  /** Closes the connection from the client's side. */
  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
    await withTimeout(this.done, 5_000, "the cancelled stream to settle").catch(() => {});
  }

  /** The events as `id data` lines, for failure messages. */
  transcript(): string {
    return this.events.map((event) => `  id=${event.id ?? "-"} ${event.data}`).join("\n") || "  (none)";
  }
}

/** A response read in full: status, headers, and the JSON-RPC message(s) (SSE: every data message). */
export interface Answer {
  status: number;
  headers: Headers;
  /** The JSON body, or the last message of an SSE body; undefined for an empty body. */
  body: Json | undefined;
  /** Every message an SSE body carried (a JSON body: just that one). */
  messages: Json[];
  text: string;
}

/** Reads a whole response (bounded). */
export async function answerOf(res: Response, what = "the response body", ms = 10_000): Promise<Answer> {
  const text = await withTimeout(res.text(), ms, what);
  let messages: Json[] = [];
  if ((res.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
    messages = text
      .split(/\r?\n/)
      .filter((line) => line.startsWith("data:"))
      .map((line) => line.slice(5).trim())
      .filter(Boolean)
      .map((data) => JSON.parse(data) as Json);
  } else if (text !== "") {
    messages = [JSON.parse(text) as Json];
  }
  return { status: res.status, headers: res.headers, body: messages.at(-1), messages, text };
}

export interface SessionRequestOptions {
  sessionId?: string;
  /** Extra headers (e.g. a principal header). */
  headers?: Record<string, string>;
  /** Default the latest 2025 revision; null leaves the header out. */
  version?: string | null;
  signal?: AbortSignal;
}

/** POSTs one 2025-era JSON-RPC message (in the session when given). */
export function sessionPost(url: string, message: Json | Json[], options: SessionRequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json", accept: ACCEPT, ...options.headers };
  if (options.sessionId) headers["mcp-session-id"] = options.sessionId;
  const version = options.version === undefined ? LATEST : options.version;
  if (version && options.sessionId) headers["mcp-protocol-version"] = version;
  return fetch(url, { method: "POST", headers, body: JSON.stringify(message), signal: options.signal ?? AbortSignal.timeout(30_000) });
}

/** A POSTed request, answered in full (bounded): status, headers, messages. */
export async function sessionCall(url: string, message: Json, options: SessionRequestOptions = {}): Promise<Answer> {
  return answerOf(await sessionPost(url, message, options), `the answer to ${String(message.method ?? "a response")}`);
}

/** GET of the session's stream (optionally resuming with Last-Event-ID); the caller reads or cancels it. */
export function sessionGet(url: string, sessionId: string, options: { lastEventId?: string; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: "text/event-stream", "mcp-session-id": sessionId, "mcp-protocol-version": LATEST, ...options.headers };
  if (options.lastEventId) headers["last-event-id"] = options.lastEventId;
  // Bounded like every request of these tests: no stream here needs to live half a minute.
  return fetch(url, { headers, signal: options.signal ?? AbortSignal.timeout(30_000) });
}

/** DELETE of the session. */
export async function sessionDelete(url: string, sessionId: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(url, { method: "DELETE", headers: { "mcp-session-id": sessionId, "mcp-protocol-version": LATEST, ...headers }, signal: AbortSignal.timeout(10_000) });
  return answerOf(res, "the DELETE answer");
}

/** initialize (200) + notifications/initialized (202) at 2025-11-25 on `url`; resolves with the session id. */
export async function openSession(url: string, options: { capabilities?: Json; headers?: Record<string, string>; initializedUrl?: string } = {}): Promise<string> {
  const init = await sessionCall(
    url,
    { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: LATEST, capabilities: options.capabilities ?? {}, clientInfo: { name: "scale-out", version: "1.0.0" } } },
    { headers: options.headers },
  );
  if (init.status !== 200 || !init.headers.get("mcp-session-id")) throw new Error(`initialize on ${url} answered ${init.status}: ${init.text}`);
  const sessionId = init.headers.get("mcp-session-id")!;
  const initialized = await sessionPost(options.initializedUrl ?? url, { jsonrpc: "2.0", method: "notifications/initialized" }, { sessionId, headers: options.headers });
  await initialized.body?.cancel();
  if (initialized.status !== 202) throw new Error(`notifications/initialized answered ${initialized.status}`);
  return sessionId;
}

/** The stored session record, read straight from Redis (undefined when the key is gone). */
export function storedSession(redis: RedisServer, sessionId: string): Json | undefined {
  const raw = redis.cli("GET", `wisp:{${sessionId}}:session`).trim();
  return raw === "" ? undefined : (JSON.parse(raw) as Json);
}

/** Every Redis key of one session (`wisp:{<id>}:*`). */
export function sessionKeys(redis: RedisServer, sessionId: string): string[] {
  return redis
    .cli("--scan", "--pattern", `wisp:{${sessionId}}:*`)
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .sort();
}

/** The events stored for one stream of a session, oldest first. */
export function storedEvents(redis: RedisServer, sessionId: string, streamId: string): { id: string; data: string; final?: boolean }[] {
  const out = redis.cli("--json", "LRANGE", `wisp:{${sessionId}}:events:${streamId}`, "0", "-1").trim();
  return (JSON.parse(out || "[]") as string[]).map((raw) => JSON.parse(raw));
}

/** Polls `check` every `intervalMs` until it returns something other than undefined/false; rejects after `ms`. */
export async function eventually<T>(check: () => T | undefined | false | Promise<T | undefined | false>, ms: number, what: string, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// ---------- scenarios shared by every runtime (scale-out.test.ts, scale-out-runtimes.test.ts) ----------

/** What `test_elicitation` answers once the user accepted with `{ username: "ada", email: "ada@example.com" }`. */
export const ADA = { username: "ada", email: "ada@example.com" };
const ADA_TEXT = 'User response: action=accept, content={"username":"ada","email":"ada@example.com"}';
const SESSION_NOT_FOUND = { jsonrpc: "2.0", id: null, error: { code: -32001, message: "Session not found: it ended or expired; send initialize to start a new one" } };

/** A tools/call of test_elicitation, as a message. */
const elicitationCall = (id: number, message: string) => ({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "test_elicitation", arguments: { message } } });

/** The Redis channel a session's control messages travel on. */
export const controlChannelKey = (sessionId: string) => `wisp:bus:wisp:${sessionId}:control`;

/** How many subscribers Redis counts on `channel` (PUBSUB NUMSUB). */
export function numsub(redis: RedisServer, channel: string): number {
  const lines = redis.cli("PUBSUB", "NUMSUB", channel).trim().split("\n");
  return Number(lines.at(-1));
}

/** The fixture serves fixture-fleet.ts's tools on every member (the scenarios below need them). */
export async function expectFleetTools(fleet: Fleet): Promise<void> {
  for (const member of fleet.members) {
    const sessionId = await openSession(member.url);
    const listed = await sessionCall(member.url, { jsonrpc: "2.0", id: 1, method: "tools/list" }, { sessionId });
    const names = ((listed.body?.result?.tools ?? []) as Json[]).map((tool) => tool.name);
    expect(names, "fixture-fleet.ts's fleetTools are not registered in the fixture (FIXTURE_SETS)").toEqual(expect.arrayContaining(["fleet_slow_progress", "fleet_touch_resource"]));
    await sessionDelete(member.url, sessionId);
  }
}

/**
 * Scenario 1: initialize on A; tools/list, tools/call, logging/setLevel, resources/subscribe on B;
 * DELETE on C → 404 everywhere after, A's GET stream and its in-flight POST stream close.
 */
export async function expectSessionLifecycleAcrossInstances(fleet: Fleet): Promise<void> {
  const [A, B, C] = fleet.members.map((member) => member.url);
  const sessionId = await openSession(A, { capabilities: { elicitation: {} } });
  const session = { sessionId };
  const get = new SseStream(await sessionGet(A, sessionId));
  const call = new SseStream(await sessionPost(A, elicitationCall(1, "Who are you?"), session));
  try {
    expect(get.response.status).toBe(200);
    expect((await get.waitForCount(1, 5_000, "the GET stream's priming event")).id).toMatch(/^g.+_0$/);
    expect(call.response.status).toBe(200);
    const asked = await call.waitFor((m) => m.method === "elicitation/create", 5_000, "the elicitation request");
    expect(asked.message).toMatchObject({ jsonrpc: "2.0", method: "elicitation/create", params: { message: "Who are you?" } });

    const listedOnA = await sessionCall(A, { jsonrpc: "2.0", id: 2, method: "tools/list" }, session);
    const listed = await sessionCall(B, { jsonrpc: "2.0", id: 2, method: "tools/list" }, session);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual(listedOnA.body);
    const names = (listed.body!.result.tools as Json[]).map((tool) => tool.name);
    expect(names[0]).toBe("test_simple_text");
    expect(names).toContain("test_elicitation");

    const called = await sessionCall(B, { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "test_simple_text", arguments: {} } }, session);
    expect({ status: called.status, body: called.body }).toEqual({
      status: 200,
      body: { jsonrpc: "2.0", id: 3, result: { content: [{ type: "text", text: "This is a simple text response for testing." }] } },
    });
    const level = await sessionCall(B, { jsonrpc: "2.0", id: 4, method: "logging/setLevel", params: { level: "warning" } }, session);
    expect({ status: level.status, body: level.body }).toEqual({ status: 200, body: { jsonrpc: "2.0", id: 4, result: {} } });
    const subscribed = await sessionCall(B, { jsonrpc: "2.0", id: 5, method: "resources/subscribe", params: { uri: "test://watched-resource" } }, session);
    expect({ status: subscribed.status, body: subscribed.body }).toEqual({ status: 200, body: { jsonrpc: "2.0", id: 5, result: {} } });
    // B's changes are in the one shared record.
    expect(storedSession(fleet.redis, sessionId)).toMatchObject({ initialized: true, logLevel: "warning", subscriptions: ["test://watched-resource"] });

    const deleted = await sessionDelete(C, sessionId);
    expect(deleted.status).toBe(200);
    // A hears of it: its GET stream and the call's stream both end.
    await get.waitEnd(5_000, "A's GET stream to close after the DELETE on C");
    await call.waitEnd(5_000, "A's in-flight POST stream to close after the DELETE on C");
    expect(get.error).toBeUndefined();
    expect(call.error).toBeUndefined();
    // The handler on A was aborted: it withdrew its elicitation, saying why; no result came.
    expect(call.messages).toContainEqual({
      jsonrpc: "2.0",
      method: "notifications/cancelled",
      params: { requestId: asked.message!.id, reason: "elicitation/create was abandoned: session ended" },
    });
    expect(call.messages.filter((m) => m.id === 1 && "result" in m)).toEqual([]);
    expect(get.messages).toEqual([]);

    for (const url of [A, B, C]) {
      const post = await sessionCall(url, { jsonrpc: "2.0", id: 6, method: "tools/list" }, session);
      expect({ url, status: post.status, body: post.body }).toEqual({ url, status: 404, body: SESSION_NOT_FOUND });
      const again = await answerOf(await sessionGet(url, sessionId), "the GET answer");
      expect({ url, status: again.status, body: again.body }).toEqual({ url, status: 404, body: SESSION_NOT_FOUND });
      const twice = await sessionDelete(url, sessionId);
      expect({ url, status: twice.status, code: twice.body?.error?.code }).toEqual({ url, status: 404, code: -32001 });
    }
    expect(sessionKeys(fleet.redis, sessionId)).toEqual([]);
  } finally {
    await Promise.all([get.cancel(), call.cancel()]);
  }
}

/**
 * Scenario 2: a tool on A asks elicitation/create; the reply is POSTed to B; the tool resumes
 * exactly once. With `dropPubsub`, every pub/sub connection is killed (CLIENT KILL TYPE pubsub)
 * just before the reply, so A must find it in storage when its subscriber is back.
 */
export async function expectElicitationAnsweredElsewhere(fleet: Fleet, options: { dropPubsub: boolean }): Promise<void> {
  const [A, B] = fleet.members.map((member) => member.url);
  const sessionId = await openSession(A, { capabilities: { elicitation: {} } });
  const call = new SseStream(await sessionPost(A, elicitationCall(1, "Who are you?"), { sessionId }));
  try {
    expect(call.response.status).toBe(200);
    const asked = await call.waitFor((m) => m.method === "elicitation/create", 5_000, "the elicitation request");
    expect(asked.message).toMatchObject({ jsonrpc: "2.0", id: expect.any(String), method: "elicitation/create", params: { message: "Who are you?", requestedSchema: { required: ["username", "email"] } } });
    expect(numsub(fleet.redis, controlChannelKey(sessionId))).toBe(1); // A waits on the session's control channel

    let killed = 0;
    if (options.dropPubsub) {
      // A is frozen first, so it cannot resubscribe before the reply is published.
      fleet.pause(0);
      // Every connection in pub/sub mode: A's subscriber at least (others only if they still hold a channel).
      killed = Number(fleet.redis.cli("CLIENT", "KILL", "TYPE", "pubsub").trim());
      expect(killed).toBeGreaterThanOrEqual(1);
    }
    try {
      const reply = await sessionPost(B, { jsonrpc: "2.0", id: asked.message!.id, result: { action: "accept", content: ADA } }, { sessionId });
      await reply.body?.cancel();
      expect(reply.status).toBe(202);
      // The reply was published while A had no subscription: it can only come from storage.
      if (options.dropPubsub) expect(numsub(fleet.redis, controlChannelKey(sessionId))).toBe(0);
    } finally {
      if (options.dropPubsub) fleet.resume(0);
    }

    await call.waitEnd(10_000, "the call to finish after the reply on B");
    expect(call.error).toBeUndefined();
    const answers = call.messages.filter((m) => m.id === 1);
    expect(answers).toEqual([{ jsonrpc: "2.0", id: 1, result: { content: [{ type: "text", text: ADA_TEXT } ] } }]);
    // Nothing asked twice, nothing else on the stream.
    expect(call.messages.map((m) => m.method ?? "(result)")).toEqual(["elicitation/create", "(result)"]);
    if (options.dropPubsub) {
      // The killed subscribers are back (node-redis reconnects within about a second).
      await eventually(() => fleet.redis.cli("CLIENT", "LIST", "TYPE", "pubsub").trim().split("\n").filter(Boolean).length >= killed, 10_000, "the instances' pub/sub connections to come back");
    }
  } finally {
    await call.cancel();
  }
}

/** The stream id of an event id `<streamId>_<seq>`. */
export const streamOf = (eventId: string) => eventId.slice(0, eventId.lastIndexOf("_"));

/** A tools/call of fleet_slow_progress (fixture-fleet.ts) with a progress token. */
export const slowProgressCall = (id: number, steps: number, intervalMs: number) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name: "fleet_slow_progress", arguments: { steps, intervalMs }, _meta: { progressToken: `progress-${id}` } },
});

/** A progress notification fleet_slow_progress sends, as a message. */
const progressOf = (id: number, step: number, steps: number) => ({
  jsonrpc: "2.0",
  method: "notifications/progress",
  params: { progressToken: `progress-${id}`, progress: step, total: steps, message: `Step ${step} of ${steps}` },
});

/**
 * Scenario 4: `kill -9` A while it streams progress; resuming on B with Last-Event-ID replays
 * every stored event once, in order. Then (A restarted) a call whose client went away before it
 * finished: B replays the rest, result included, both once it finished and while it still runs.
 */
export async function expectResumeOnAnotherInstance(fleet: Fleet): Promise<void> {
  const [A, B] = fleet.members.map((member) => member.url);
  const sessionId = await openSession(B);
  const session = { sessionId };

  // --- A dies mid-stream ---
  const call = new SseStream(await sessionPost(A, slowProgressCall(1, 50, 100), session));
  expect(call.response.status).toBe(200);
  await call.waitFor((m) => m.params?.progress === 3, 10_000, "progress 3 of 50");
  await fleet.kill(0);
  try {
    await call.waitEnd(5_000, "A's stream to break");
    const seen = call.events.map(({ id, data }) => ({ id: id!, data }));
    const streamId = streamOf(seen[0].id);
    expect(seen[0]).toEqual({ id: `${streamId}_0`, data: "" }); // the priming event
    const stored = storedEvents(fleet.redis, sessionId, streamId).map(({ id, data }) => ({ id, data }));
    // Everything the client saw had been stored, in the same order (A may have stored one more).
    expect(stored.slice(0, seen.length)).toEqual(seen);
    expect(stored.every((event, seq) => event.id === `${streamId}_${seq}`)).toBe(true);

    const from = seen[1].id; // resume after progress 1
    const resumed = new SseStream(await sessionGet(B, sessionId, { lastEventId: from }));
    try {
      expect(resumed.response.status).toBe(200);
      const expected = stored.slice(2);
      await resumed.waitForCount(expected.length, 5_000, `the ${expected.length} stored events after ${from}`);
      await new Promise((r) => setTimeout(r, 300)); // anything extra (a duplicate) would show up now
      expect(resumed.events.map(({ id, data }) => ({ id, data }))).toEqual(expected);
      expect(resumed.messages).toEqual(expected.map((_, i) => progressOf(1, i + 2, 50)));
    } finally {
      await resumed.cancel();
    }
  } finally {
    await fleet.restart(0); // a failed check must not leave A dead for the tests after this one
  }

  // --- the client goes away; the call finishes; B replays the rest, result included ---
  const left = new SseStream(await sessionPost(A, slowProgressCall(2, 3, 150), session));
  const first = await left.waitFor((m) => m.params?.progress === 1, 5_000, "progress 1 of 3");
  await left.cancel();
  const leftStream = streamOf(first.id!);
  await eventually(() => storedEvents(fleet.redis, sessionId, leftStream).some((event) => event.final), 5_000, "the call's result to be stored");
  const replayed = new SseStream(await sessionGet(B, sessionId, { lastEventId: first.id }));
  await replayed.waitEnd(5_000, "the replay to end with the result");
  expect(replayed.response.status).toBe(200);
  expect(replayed.events.map(({ id, message }) => ({ id, message }))).toEqual([
    { id: `${leftStream}_2`, message: progressOf(2, 2, 3) },
    { id: `${leftStream}_3`, message: progressOf(2, 3, 3) },
    { id: `${leftStream}_4`, message: { jsonrpc: "2.0", id: 2, result: { content: [{ type: "text", text: "Finished 3 steps" }] } } },
  ]);

  // --- the same while the call still runs on A: B follows it live ---
  const running = new SseStream(await sessionPost(A, slowProgressCall(3, 4, 250), session));
  const early = await running.waitFor((m) => m.params?.progress === 1, 5_000, "progress 1 of 4");
  await running.cancel();
  const runningStream = streamOf(early.id!);
  const followed = new SseStream(await sessionGet(B, sessionId, { lastEventId: early.id }));
  await followed.waitEnd(10_000, "the followed stream to end with the result");
  expect(followed.events.map(({ id, message }) => ({ id, message }))).toEqual([
    { id: `${runningStream}_2`, message: progressOf(3, 2, 4) },
    { id: `${runningStream}_3`, message: progressOf(3, 3, 4) },
    { id: `${runningStream}_4`, message: progressOf(3, 4, 4) },
    { id: `${runningStream}_5`, message: { jsonrpc: "2.0", id: 3, result: { content: [{ type: "text", text: "Finished 4 steps" }] } } },
  ]);
}
