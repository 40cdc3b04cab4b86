/**
 * The fault server: one Wisp server whose tools misbehave on purpose, started as a real process
 * by main-node.ts, main-bun.ts or main-deno.ts (same code on each runtime; web APIs only, plus
 * `process.env` and `console.log`, which all three have).
 *
 * Side channel: the tools that wait for their `ctx.signal` print one line per event on stdout,
 *   FAULT {"ev":"started"|"aborted","tag":"…","at":<epoch ms, sub-ms>,"reason":"…"}
 * so a test can time "client closed its socket" → "handler's signal fired" across processes
 * (both clocks are the machine's; see `now()`).
 *
 * Environment: FAULT_CALL_TIMEOUT_MS (callTimeout), FAULT_SHUTDOWN_MS (the adapter's
 * shutdownTimeout), FAULT_KEEPALIVE_MS (SSE keep-alive comments).
 */
import { McpError, type Server, createServer } from "@wisp/core";
import * as v from "valibot";

/** Wall-clock milliseconds with sub-millisecond resolution; comparable between processes on one machine. */
export const now = (): number => performance.timeOrigin + performance.now();

function report(ev: "started" | "aborted", tag: string, reason?: unknown): void {
  const line: Record<string, unknown> = { ev, tag, at: now() };
  if (reason !== undefined) line.reason = String(reason);
  console.log(`FAULT ${JSON.stringify(line)}`);
}

/** Resolves when `signal` aborts (never otherwise), after reporting it. */
function aborted(signal: AbortSignal, tag: string): Promise<void> {
  return new Promise<void>((resolve) => {
    const fire = () => {
      report("aborted", tag, signal.reason);
      resolve();
    };
    if (signal.aborted) fire();
    else signal.addEventListener("abort", fire, { once: true });
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let markClosing!: () => void;
/** Resolves once the process starts shutting down (the main calls `closing()` on SIGTERM). */
const closingStarted = new Promise<void>((resolve) => (markClosing = resolve));
/** Called by the main when SIGTERM arrives, before the adapter's close. */
export const closing = (): void => markClosing();
const env = (name: string): number | undefined => {
  const raw = process.env[name];
  return raw === undefined || raw === "" ? undefined : Number(raw);
};

export interface FaultEnv {
  callTimeout?: number;
  shutdownTimeout: number;
  keepAlive?: number;
}

export function faultEnv(): FaultEnv {
  return { callTimeout: env("FAULT_CALL_TIMEOUT_MS"), shutdownTimeout: env("FAULT_SHUTDOWN_MS") ?? 5_000, keepAlive: env("FAULT_KEEPALIVE_MS") };
}

const tagged = v.object({ tag: v.string() });

export function createFaultServer(options: FaultEnv): Server<any> {
  /** Calls of `sleep` running now (the shutdown test waits until all of its calls are in). */
  let sleeping = 0;
  let slept = 0;
  const server = createServer({
    name: "wisp-faults",
    version: "1.0.0",
    callTimeout: options.callTimeout,
    sse: { keepAlive: options.keepAlive },
    // A fixed secret: without one the server warns on stderr (noise in the tests' output).
    requestStateSecret: "wisp-faults-request-state-secret-not-for-production-000",
  })
    .tool("quick", { description: "Answers at once; with a tag, reports that it ran" }, (_args, ctx) => {
      const tag = (ctx.request.params.arguments as { tag?: unknown } | undefined)?.tag;
      if (typeof tag === "string") report("started", tag);
      return "ok";
    })
    .tool("echo", { description: "Answers its session id and arguments", input: v.record(v.string(), v.unknown()) }, (args, ctx) =>
      JSON.stringify({ sessionId: ctx.session.id ?? null, args }),
    )
    .tool("wait", { description: "Waits for its ctx.signal to abort; reports when it started and when the signal fired", input: tagged }, async ({ tag }, ctx) => {
      const done = aborted(ctx.signal, tag);
      report("started", tag);
      await done;
      return "aborted";
    })
    .tool("stream_wait", { description: "Sends one progress notification (the answer becomes SSE), then waits for ctx.signal", input: tagged }, async ({ tag }, ctx) => {
      const done = aborted(ctx.signal, tag);
      ctx.progress(1, 2, tag);
      report("started", tag);
      await done;
      return "aborted";
    })
    .tool("throws", { description: "Throws: an Error, an McpError, or a value that is not an Error", input: v.object({ kind: v.picklist(["error", "mcp", "value"]) }) }, ({ kind }) => {
      if (kind === "error") throw new Error("boom");
      if (kind === "mcp") throw new McpError(-32042, "custom failure", { detail: 1 });
      throw "a string, not an Error";
    })
    .tool("never", { description: "Never returns; reports when its ctx.signal fires", input: tagged }, (args, ctx) => {
      void aborted(ctx.signal, args.tag);
      report("started", args.tag);
      return new Promise<string>(() => {});
    })
    .tool("circular", { description: "Returns a result JSON cannot encode", input: v.object({ kind: v.picklist(["cycle", "bigint"]) }) }, ({ kind }) => {
      if (kind === "bigint") return { content: [{ type: "text" as const, text: "big" }], structuredContent: { n: 10n } } as never;
      const cyclic: Record<string, unknown> = { name: "loop" };
      cyclic.self = cyclic;
      return { content: [{ type: "text" as const, text: "cycle" }], structuredContent: cyclic } as never;
    })
    .tool("block", { description: "Busy-loops the event loop for ms", input: v.object({ ms: v.number() }) }, ({ ms }) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
      return `blocked ${ms} ms`;
    })
    .tool("sleep", {
      description: "Answers after ms (ignores its signal); with afterClose, ms after the shutdown began",
      input: v.object({ ms: v.number(), afterClose: v.optional(v.boolean()), n: v.optional(v.number()) }),
    }, async ({ ms, afterClose, n }) => {
      sleeping++;
      try {
        if (afterClose) await closingStarted;
        await sleep(ms);
      } finally {
        sleeping--;
        slept++;
      }
      return `slept ${ms} #${n ?? 0}`;
    })
    .tool("stats", { description: "How many sleep calls are running and have ended" }, () => JSON.stringify({ sleeping, slept }))
    // Isolation: progress and a log carrying the caller's tag, and (2025 era) a tool registered
    // for this session only, whose list_changed only this session may hear.
    .tool("mark", { description: "Progress with the tag, optionally a per-session tool, then the tag and session back", input: v.object({ tag: v.string(), register: v.optional(v.string()) }) }, async ({ tag, register }, ctx) => {
      ctx.progress(1, 3, `${tag}:1`);
      await sleep(1);
      ctx.progress(2, 3, `${tag}:2`);
      if (register) await ctx.registerTool(register, { description: `registered by ${tag}`, handler: "own", data: { tag } });
      return JSON.stringify({ tag, sessionId: ctx.session.id ?? null });
    })
    .toolHandler("own", (_args, ctx, { data }) => JSON.stringify({ data, sessionId: ctx.session.id ?? null }));
  return server;
}
