/**
 * The two measurements the tests assert on and report.ts prints:
 * - abort latency: a client closes its socket (or, on a 2025 SSE answer, sends
 *   notifications/cancelled) while a handler waits on ctx.signal; how long until the signal fires;
 * - shutdown under load: calls in flight, open streams and keep-alive churn when SIGTERM arrives;
 *   what each one got, and how long the process took to exit.
 */
import { Agent } from "node:http";
import type { FaultProcess, Runtime } from "./proc.js";
import { startFaultServer } from "./proc.js";
import {
  type Era,
  type Exchanged,
  type Json,
  type Opened,
  type Target,
  answerOf,
  exchange,
  getStream,
  listen,
  notification,
  now,
  open,
  target as newTarget,
  toolCall,
} from "./wire.js";

export type Kind = "json" | "sse";
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------- statistics ----------

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles. */
export function summarize(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  return { n: sorted.length, min: sorted[0], p50: rank(50), p99: rank(99), max: sorted[sorted.length - 1] };
}

export const ms = (value: number) => (value < 10 ? value.toFixed(2) : value.toFixed(1));

// ---------- abort latency ----------

export interface AbortRun {
  era: Era;
  kind: Kind;
  /** Bytes of padding in the call's arguments (Deno notices a disconnect only for small requests). */
  pad: number;
  /** What fires the signal: the client closing its socket, or notifications/cancelled (2025 SSE). */
  trigger: "disconnect" | "notifications/cancelled";
  /** ms from the trigger to the handler's ctx.signal firing, one per sample whose signal fired. */
  delays: number[];
  /** Samples whose signal did not fire within `waitMs` of the trigger. */
  missing: string[];
  /** Samples whose signal fired on the disconnect alone (watch mode and 2025 SSE, where it must not). */
  firedOnDisconnect: string[];
  /** Problems setting a sample up (wrong content type, no progress event, …). */
  problems: string[];
}

interface Cut {
  tag: string;
  id: number;
  opened: Opened;
  cutAt: number;
}

/** Starts one waiting call (wait → JSON, stream_wait → SSE), waits until its handler runs, then cuts the connection. */
async function startAndCut(server: FaultProcess, target: Target, kind: Kind, tag: string, id: number, pad: number, problems: string[]): Promise<Cut | undefined> {
  const name = kind === "json" ? "wait" : "stream_wait";
  const args = pad > 0 ? { tag, pad: "x".repeat(pad) } : { tag };
  const opened = open(target.url, toolCall(target, id, name, args, kind === "sse" ? tag : undefined), { agent: false, timeoutMs: 20_000 });
  if (kind === "json") {
    if (!(await server.events.wait("started", tag, 5_000))) {
      problems.push(`${tag}: the handler never started`);
      opened.cut();
      return undefined;
    }
  } else {
    const progress = await opened.message((m) => m.method === "notifications/progress", 5_000);
    const res = await opened.response;
    if (!progress || !(res.headers["content-type"] ?? "").startsWith("text/event-stream")) {
      problems.push(`${tag}: no SSE progress event (${res.headers["content-type"]})`);
      opened.cut();
      return undefined;
    }
  }
  const cutAt = opened.cut();
  return { tag, id, opened, cutAt };
}

export interface AbortOptions {
  samples: number;
  /** Bytes of padding added to the arguments. Default 0. */
  pad?: number;
  /**
   * "measure" (default): one sample at a time, timing each signal. "watch": cut every sample,
   * then only watch `quietMs` for signals (for a disconnect that is known not to fire them).
   * 2025 SSE answers are always watched first, then cancelled with notifications/cancelled and timed.
   */
  mode?: "measure" | "watch";
  /** How long a signal that must fire may take before the sample counts as missing. */
  waitMs?: number;
  /** How long to watch for signals after disconnects that must not fire them. */
  quietMs?: number;
}

/** Measures `samples` aborts of one era × response kind on a running fault server, one at a time. */
export async function measureAborts(server: FaultProcess, era: Era, kind: Kind, options: AbortOptions): Promise<AbortRun> {
  const { samples, pad = 0, mode = "measure", waitMs = 2_000, quietMs = 300 } = options;
  const target = await newTarget(server.url, era, false);
  const prefix = `${server.runtime}-${era}-${kind}-${pad}-${Math.random().toString(36).slice(2, 8)}-`;
  const legacyStream = era === "2025" && kind === "sse";
  const watch = legacyStream || mode === "watch";
  const run: AbortRun = { era, kind, pad, trigger: legacyStream ? "notifications/cancelled" : "disconnect", delays: [], missing: [], firedOnDisconnect: [], problems: [] };
  const cuts: Cut[] = [];
  for (let i = 0; i < samples; i++) {
    const cut = await startAndCut(server, target, kind, `${prefix}${i}`, i + 1, pad, run.problems);
    if (!cut) continue;
    if (watch) {
      cuts.push(cut);
      continue;
    }
    const fired = await server.events.wait("aborted", cut.tag, waitMs);
    if (fired) run.delays.push(fired.at - cut.cutAt);
    else run.missing.push(cut.tag);
  }
  if (!watch) return run;
  await sleep(quietMs);
  for (const cut of cuts) {
    if (server.events.get("aborted", cut.tag)) run.firedOnDisconnect.push(cut.tag);
    else if (!legacyStream) run.missing.push(cut.tag);
  }
  if (!legacyStream) return run;
  // 2025 SSE: a disconnect is not a cancellation (the client may resume with Last-Event-ID);
  // notifications/cancelled is.
  for (const cut of cuts) {
    if (server.events.get("aborted", cut.tag)) continue;
    const sentAt = now();
    const accepted = exchange(target.url, notification(target, "notifications/cancelled", { requestId: cut.id, reason: "test" }), { agent: false, timeoutMs: 5_000 });
    const fired = await server.events.wait("aborted", cut.tag, waitMs);
    const answered = await accepted;
    if (answered.status !== 202) run.problems.push(`${cut.tag}: notifications/cancelled answered ${answered.status ?? answered.error}`);
    if (fired) run.delays.push(fired.at - sentAt);
    else run.missing.push(cut.tag);
  }
  return run;
}

// ---------- shutdown under load ----------

export interface ShutdownPlan {
  /** Calls in flight when SIGTERM arrives, a quarter each: 2025 short, 2026 short, 2025 long, 2026 long. */
  calls: number;
  /** Open streams, half 2025 GET streams, half 2026 subscriptions/listen. */
  streams: number;
  /** The server's shutdownTimeout (ms); short calls sleep well within it, long ones far past it. */
  shutdownMs: number;
  /** Keep-alive connections sending `quick` back to back through the shutdown. */
  churn: number;
  /** 2025 sessions the calls are spread over. */
  sessions: number;
}

export type Outcome =
  | "result"
  | "shutting-down"
  | "other-error"
  /** A new connection was refused (the listener is closed): the request was never sent. */
  | "refused"
  /** The connection failed with no response: `reused` says whether it was a keep-alive connection. */
  | "reset-before-response"
  | "reset-after-response"
  | "timeout";

export interface CallRecord {
  /** short/long: in flight at SIGTERM; follow-up: sent on the agent right after a short call's answer; churn: back-to-back quick calls. */
  group: "short" | "long" | "follow-up" | "churn";
  era: Era;
  outcome: Outcome;
  detail: string;
  reused: boolean;
  /** The response said `Connection: close` (the client will not send on that connection again). */
  connectionClose: boolean;
  /** ms after SIGTERM the exchange ended. */
  endedAfter: number;
  /** ms after SIGTERM the request was sent (churn calls may start after it). */
  sentAfter: number;
  /** Churn and follow-up calls: the tag the server reports when the tool ran (see `ranOnServer`). */
  tag?: string;
  /** Churn and follow-up calls: the server ran the tool (so a call without an answer was lost after the work was done). */
  ranOnServer?: boolean;
}

export interface StreamRecord {
  kind: "2025 GET" | "2026 listen";
  /** Ended cleanly (the server ended the body) */
  ended: boolean;
  /** 2026 listen: its closing result arrived. */
  closingResult: boolean;
  error?: string;
  endedAfter: number;
}

export interface ShutdownFigures {
  runtime: Runtime;
  version: string;
  plan: ShutdownPlan;
  /** Calls the server counted as running (sleep) at SIGTERM. */
  inFlightAtSigterm: number;
  calls: CallRecord[];
  streams: StreamRecord[];
  exit: { code: number | null; signal: string | null; afterMs: number };
  output: string;
}

function classify(exchanged: Exchanged): { outcome: Outcome; detail: string } {
  const answer = answerOf(exchanged);
  if (answer?.result) return { outcome: "result", detail: "" };
  if (answer?.error) {
    const { code, message } = answer.error as { code: number; message: string };
    if (code === -32603 && /^Server shutting down/.test(message)) return { outcome: "shutting-down", detail: "" };
    return { outcome: "other-error", detail: `${code} ${message}` };
  }
  if (exchanged.error === "ECONNREFUSED") return { outcome: "refused", detail: "ECONNREFUSED" };
  if (exchanged.error === "client timeout") return { outcome: "timeout", detail: exchanged.body.slice(0, 200) };
  return {
    outcome: exchanged.responded ? "reset-after-response" : "reset-before-response",
    detail: `${exchanged.status ?? ""} ${exchanged.error ?? "no answer"} ${exchanged.body.slice(0, 200)}`.trim(),
  };
}

/** Asks the server how many sleep calls are running. */
async function sleeping(url: string): Promise<number> {
  const exchanged = await exchange(url, toolCall({ url, era: "2026" }, 1, "stats"), { agent: false, timeoutMs: 5_000 });
  const answer = answerOf(exchanged);
  return answer?.result ? (JSON.parse(answer.result.content[0].text) as { sleeping: number }).sleeping : -1;
}

/**
 * Starts a fault server on `runtime`, loads it as `plan` says, sends SIGTERM and waits (bounded)
 * for every call, stream and the process to end.
 */
export async function shutdownUnderLoad(runtime: Runtime, plan: ShutdownPlan): Promise<ShutdownFigures> {
  const server = await startFaultServer(runtime, { FAULT_SHUTDOWN_MS: String(plan.shutdownMs) });
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: plan.calls + plan.churn });
  const churnAgent = new Agent({ keepAlive: true, maxSockets: plan.churn });
  try {
    const { url } = server;
    const sessions: Target[] = [];
    for (let i = 0; i < Math.max(plan.sessions, plan.streams / 2); i++) sessions.push(await newTarget(url, "2025", false));
    const modern: Target = { url, era: "2026" };

    // Streams, each on its own connection, open before the load.
    const streamRuns: Promise<StreamRecord>[] = [];
    let sigtermAt = Infinity;
    for (let i = 0; i < plan.streams; i++) {
      const legacy = i % 2 === 0;
      const opened = open(url, legacy ? getStream(sessions[i / 2]) : listen(url, `listen-${i}`), { agent: false, timeoutMs: plan.shutdownMs + 15_000 });
      const res = await opened.response;
      if (res.statusCode !== 200) throw new Error(`stream ${i} answered ${res.statusCode}`);
      if (!legacy && !(await opened.message((m) => m.method === "notifications/subscriptions/acknowledged", 5_000))) throw new Error(`listen ${i} was not acknowledged`);
      streamRuns.push(
        opened.done.then((done) => ({
          kind: legacy ? "2025 GET" : "2026 listen",
          ended: done.complete && !done.error,
          closingResult: !legacy && done.messages.some((m) => m.id === `listen-${i}` && m.result?.resultType === "complete"),
          error: done.error,
          endedAfter: done.endedAt - sigtermAt,
        })),
      );
    }

    // Warm `calls` keep-alive connections, so the calls in flight ride on reused connections.
    await Promise.all(Array.from({ length: plan.calls }, (_, i) => exchange(url, toolCall(modern, i, "quick"), { agent, timeoutMs: 20_000 })));

    const records: Promise<CallRecord>[] = [];
    const followUps: Promise<CallRecord>[] = [];
    const record = (group: CallRecord["group"], era: Era, done: Exchanged): CallRecord => ({
      group,
      era,
      ...classify(done),
      reused: done.reused,
      connectionClose: /close/i.test(String(done.headers?.connection ?? "")),
      endedAfter: done.endedAt - sigtermAt,
      sentAfter: done.sentAt - sigtermAt,
    });
    // Short calls end between 10 % and 50 % of the grace period after SIGTERM: all in flight at SIGTERM, all within the grace.
    const shortMs = (i: number) => Math.round(plan.shutdownMs * (0.1 + (0.4 * ((i * 7919) % 1000)) / 1000));
    for (let i = 0; i < plan.calls; i++) {
      const era: Era = i % 2 === 0 ? "2025" : "2026";
      const group = i % 4 < 2 ? "short" : "long";
      const target = era === "2025" ? sessions[i % plan.sessions] : modern;
      const args = group === "short" ? { ms: shortMs(i), afterClose: true, n: i } : { ms: 600_000, n: i };
      const opened = open(url, toolCall(target, `c${i}`, "sleep", args), { agent, timeoutMs: 60_000 });
      records.push(opened.done.then((done) => record(group, era, done)));
      // A fifth of the short calls (both eras): the client sends another call as soon as it has the
      // answer, as a client with more work does; on the same kept-alive connection, unless the
      // answer said `Connection: close`.
      if (group === "short" && i % 20 < 2) {
        followUps.push(
          opened.done.then(async () => {
            const tag = `follow-${i}`;
            return { ...record("follow-up", era, await exchange(url, toolCall(target, tag, "quick", { tag }), { agent, timeoutMs: 30_000 })), tag };
          }),
        );
      }
    }

    // Wait until the server runs every call.
    let inFlight = 0;
    const deadline = Date.now() + 20_000;
    while ((inFlight = await sleeping(url)) < plan.calls && Date.now() < deadline) await sleep(20);

    // Churn: `quick` back to back on keep-alive connections, through the shutdown, until one fails.
    let churning = true;
    const churn: Promise<CallRecord[]>[] = Array.from({ length: plan.churn }, async (_, loop) => {
      const mine: CallRecord[] = [];
      for (let n = 0; churning; n++) {
        const era: Era = n % 2 === 0 ? "2025" : "2026";
        const tag = `churn-${loop}-${n}`;
        const done = await exchange(url, toolCall(era === "2025" ? sessions[loop % plan.sessions] : modern, tag, "quick", { tag }), { agent: churnAgent, timeoutMs: plan.shutdownMs + 10_000 });
        const churned: CallRecord = { ...record("churn", era, done), tag };
        // Before SIGTERM, only keep what went wrong (there should be nothing).
        if (done.sentAt >= sigtermAt || churned.outcome !== "result") mine.push(churned);
        if (churned.outcome !== "result" || churned.connectionClose) break;
      }
      return mine;
    });
    await sleep(50);

    sigtermAt = now();
    server.child.kill("SIGTERM");
    const exited = await Promise.race([server.exited, sleep(plan.shutdownMs + 10_000).then(() => undefined)]);
    churning = false;
    if (!exited) await server.stop(0); // every connection ends with the process
    const calls = await Promise.all(records);
    const churned = [...(await Promise.all(churn)).flat(), ...(await Promise.all(followUps))];
    for (const each of churned) each.ranOnServer = server.events.get("started", each.tag!) !== undefined;
    const streams = await Promise.all(streamRuns);
    return {
      runtime,
      version: server.version,
      plan,
      inFlightAtSigterm: inFlight,
      calls: [...calls, ...churned],
      streams,
      exit: exited ? { code: exited.code, signal: exited.signal, afterMs: exited.at - sigtermAt } : { code: null, signal: "still running", afterMs: Infinity },
      output: server.output(),
    };
  } finally {
    agent.destroy();
    churnAgent.destroy();
    await server.stop(0);
  }
}

/** Counts by outcome, per group. */
export function tally(records: CallRecord[]): Record<string, Record<Outcome, number>> {
  const out: Record<string, Record<Outcome, number>> = {};
  for (const record of records) {
    const group = (out[record.group] ??= { result: 0, "shutting-down": 0, "other-error": 0, refused: 0, "reset-before-response": 0, "reset-after-response": 0, timeout: 0 });
    group[record.outcome]++;
  }
  return out;
}

export type { Json };
