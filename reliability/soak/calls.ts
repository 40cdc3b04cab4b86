/**
 * Phase "calls": a long run of tools/call over a fixed pool of keep-alive connections: mostly
 * 2025-era calls in one session (plain JSON, and a share that streams a progress notification
 * first), plus a share of stateless 2026-07-28 calls. Every answer is checked; the target is zero
 * errors and a flat heap (sampled after GC during the run, and once more when it is over).
 */
import { MODERN_CALL_HEADERS, endpoint, expectEcho, legacyCall, modernCall, openSession, pool, post, sessionHeaders } from "./http.js";
import { type SoakServer, withServer } from "./process.js";
import type { MeasuredPhase, Row } from "./report.js";
import { backWithin, errorTally, latencies, mb, ms, runBounded, sleep } from "./util.js";
import { warmUp } from "./warmup.js";

export interface CallsOptions {
  calls: number;
  connections: number;
  /** Every tenth call is one of these kinds (the rest: 2025 JSON): e.g. 2 → 20 %. */
  modernPerTen: number;
  progressPerTen: number;
  /** Heap samples (after GC) this often during the run. */
  sampleEveryMs: number;
  tolerance: { fraction: number; slackBytes: number };
  log: (line: string) => void;
}

export async function callsPhase(o: CallsOptions): Promise<MeasuredPhase> {
  const began = Date.now();
  return withServer({ sessionTimeoutMs: 60_000, keepAliveMs: 15_000, sweepIntervalMs: 5_000 }, (server) => run(server, o, began));
}

async function run(server: SoakServer, o: CallsOptions, began: number): Promise<MeasuredPhase> {
  const to = endpoint(server.url);
  const agent = pool(o.connections);
  const errors = errorTally();
  const latency = latencies();
  try {
    await warmUp(to, agent, 200);
    const sessionId = await openSession(to, agent);
    const inSession = sessionHeaders(sessionId);
    /** Call `i`: its kind follows i % 10, its text is unique, so a crossed answer is caught. */
    const call = async (i: number) => {
      const kind = i % 10;
      const text = `t${i}`;
      if (kind < o.modernPerTen) expectEcho(await post(to, agent, MODERN_CALL_HEADERS, modernCall(i, text)), text);
      else if (kind < o.modernPerTen + o.progressPerTen) expectEcho(await post(to, agent, inSession, legacyCall(i, "progress", text)), text, true);
      else expectEcho(await post(to, agent, inSession, legacyCall(i, "echo", text)), text);
    };
    // The same mix unmeasured first: the baseline then holds the optimised code, not just the first calls'.
    await runBounded(Math.min(10_000, Math.ceil(o.calls / 10)), o.connections, (i) => call(-1 - i));
    const first = await server.memory();
    const samples = [first.heapUsed];
    o.log(`calls: heap ${mb(first.heapUsed)} at start; ${o.calls} calls on ${o.connections} connections`);

    let done = false;
    const sampler = (async () => {
      while (!done) {
        await sleep(o.sampleEveryMs);
        if (!done) samples.push((await server.memory()).heapUsed);
      }
    })();
    let completed = 0;
    const runStart = performance.now();
    await runBounded(o.calls, o.connections, async (i) => {
      const started = performance.now();
      try {
        await call(i);
        latency.since(started);
      } catch (error) {
        errors.add(error);
      }
      if (++completed % 100_000 === 0) o.log(`calls: ${completed} done, ${Math.round(completed / ((performance.now() - runStart) / 1000))}/s, heap samples ${samples.map((s) => mb(s)).join(" ")}`);
    });
    const runMs = performance.now() - runStart;
    done = true;
    await sampler;
    const last = await server.memory();
    samples.push(last.heapUsed);

    const max = Math.max(...samples);
    const flat = backWithin(last.heapUsed, first.heapUsed, o.tolerance.fraction, o.tolerance.slackBytes) && backWithin(max, first.heapUsed, o.tolerance.fraction, o.tolerance.slackBytes);
    const rate = o.calls / (runMs / 1000);
    const share = (n: number) => `${n * 10} %`;
    const load = `${o.calls} tools/call on ${o.connections} keep-alive connections: ${share(10 - o.modernPerTen - o.progressPerTen)} 2025 JSON, ${share(o.progressPerTen)} 2025 SSE (progress), ${share(o.modernPerTen)} 2026-07-28 stateless`;
    const rows: Row[] = [
      {
        test: "calls: errors and throughput",
        load,
        result: `${errors.total} errors${errors.total ? ` (${errors.summary()})` : ""}; ${Math.round(rate)} calls/s over ${(runMs / 1000).toFixed(0)} s; p50 ${ms(latency.ms(50))}, p99 ${ms(latency.ms(99))}, max ${ms(latency.maxMs())}`,
        ok: errors.total === 0,
      },
      {
        test: "calls: heap flat (after GC)",
        load,
        result: `first ${mb(first.heapUsed)}, last ${mb(last.heapUsed)}, max ${mb(max)} over ${samples.length} samples; RSS ${mb(first.rss)} → ${mb(last.rss)}`,
        ok: flat,
      },
    ];
    return {
      phase: "calls",
      rows,
      durationMs: Date.now() - began,
      figures: { errors: errors.total, rate, p50: latency.ms(50), p99: latency.ms(99), firstHeap: first.heapUsed, lastHeap: last.heapUsed, maxHeap: max, samples: samples.length },
    };
  } finally {
    agent.destroy();
  }
}
