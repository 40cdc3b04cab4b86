/**
 * Phase "streams": many concurrent SSE streams held open, half 2025 session GET streams (each
 * with its session), half 2026 `subscriptions/listen` streams, on a server with a short
 * keep-alive. Measures memory per stream, keep-alives received, and whether fresh clients are
 * still served while the streams are open; then closes them all and checks memory comes back.
 *
 * RSS: after thousands of sockets, glibc keeps freed native memory as its high-water mark, so
 * RSS may stay above the start while the heap is back. When it does, a second round of the
 * same streams tells retention from growth: RSS must then stay within the tolerance of the first.
 */
import type { Agent } from "node:http";
import { type Endpoint, LEGACY, MODERN_LISTEN_HEADERS, endpoint, listenBody, openSession, pool } from "./http.js";
import type { MemoryReport } from "./memory-channel.js";
import { probeOnce, probeWhile } from "./probe.js";
import { type SoakServer, withServer } from "./process.js";
import type { MeasuredPhase, Row } from "./report.js";
import { settle } from "./settle.js";
import { type HeldStream, openStream, streamAgent } from "./sse-client.js";
import { type ErrorTally, errorTally, kb, latencies, mb, memoryText, ms, runBounded, sleep } from "./util.js";
import { warmUp } from "./warmup.js";

export interface StreamsOptions {
  streams: number;
  holdMs: number;
  keepAliveMs: number;
  sessionTimeoutMs: number;
  sweepIntervalMs: number;
  /** Streams being opened at once. */
  concurrency: number;
  /** A fresh client slower than this while the streams are open is a stall. */
  stallMs: number;
  tolerance: { fraction: number; slackBytes: number };
  /** How long memory may take to come back once the sessions have expired (ms). */
  settleMs: number;
  log: (line: string) => void;
}

interface Opened {
  held: HeldStream[];
  gets: number;
  listens: number;
  /** Memory with the GET streams open, then with all of them. */
  withGets: MemoryReport;
  opened: MemoryReport;
  openMs: number;
}

const GET_HEADERS = { accept: "text/event-stream", "mcp-protocol-version": LEGACY };

async function openGetStream(to: Endpoint, agent: Agent, streams: Agent): Promise<HeldStream> {
  const sessionId = await openSession(to, agent);
  return openStream(to, streams, "GET", { ...GET_HEADERS, "mcp-session-id": sessionId });
}

const openListenStream = (to: Endpoint, streams: Agent, id: number) => openStream(to, streams, "POST", MODERN_LISTEN_HEADERS, listenBody(id));

/** Opens `count` streams, the GET half first (memory is read between the halves). */
async function openAll(server: SoakServer, count: number, agent: Agent, streams: Agent, concurrency: number, errors: ErrorTally): Promise<Opened> {
  const to = endpoint(server.url);
  const held: HeldStream[] = [];
  const gets = Math.ceil(count / 2);
  const listens = count - gets;
  const began = Date.now();
  await runBounded(gets, concurrency, () => openGetStream(to, agent, streams).then((s) => void held.push(s), errors.add));
  const withGets = await server.memory();
  await runBounded(listens, concurrency, (i) => openListenStream(to, streams, i).then((s) => void held.push(s), errors.add));
  const openMs = Date.now() - began;
  return { held, gets, listens, withGets, opened: await server.memory(), openMs };
}

export async function streamsPhase(o: StreamsOptions): Promise<MeasuredPhase> {
  const began = Date.now();
  return withServer({ sessionTimeoutMs: o.sessionTimeoutMs, keepAliveMs: o.keepAliveMs, sweepIntervalMs: o.sweepIntervalMs }, (server) => run(server, o, began));
}

async function run(server: SoakServer, o: StreamsOptions, began: number): Promise<MeasuredPhase> {
  const to = endpoint(server.url);
  const agent = pool(o.concurrency);
  const streams = streamAgent();
  const errors = errorTally();
  const probeErrors = errorTally();
  const all: HeldStream[] = [];
  // After closing, the GET streams' sessions expire (one timeout after their last keep-alive) and the sweeper runs.
  const settled = () => Date.now() + o.sessionTimeoutMs + o.sweepIntervalMs + 1_000;
  try {
    await warmUp(to, agent);
    // The stream paths too, enough of them for their optimised code to be in the baseline; closed again before it is taken.
    const warm = await openAll(server, Math.min(1_000, o.streams), agent, streams, o.concurrency, errors);
    for (const stream of warm.held) stream.close();
    const before = latencies();
    for (let i = 0; i < 20; i++) await probeOnce(to, before, probeErrors, 10_000);
    await sleep(settled() - Date.now());
    await server.memory(); // the baseline is the second collection's: the first may still hand pages back
    await sleep(1_000);
    const start = await server.memory();

    o.log(`streams: start ${memoryText(start)}; opening ${o.streams} streams`);
    const round = await openAll(server, o.streams, agent, streams, o.concurrency, errors);
    const { held, gets, listens, withGets, opened } = round;
    all.push(...held);
    o.log(`streams: ${held.length} open in ${(round.openMs / 1000).toFixed(1)} s; ${memoryText(opened)}, ${opened.connections} server connections; holding ${o.holdMs / 1000} s`);

    // Hold: count keep-alives from here, and keep fresh clients coming the whole time.
    const keepAlivesAtStart = held.map((s) => s.keepAlives);
    const during = latencies();
    const holdEnd = Date.now() + o.holdMs;
    await probeWhile(to, during, probeErrors, () => Date.now() >= holdEnd, 100, Math.max(10_000, o.stallMs * 4));
    await sleep(holdEnd - Date.now());
    const atEnd = await server.memory();
    // Heap and RSS peak at different moments (RSS keeps rising as socket buffers are touched).
    const peak = { ...opened, heapUsed: Math.max(opened.heapUsed, atEnd.heapUsed), rss: Math.max(opened.rss, atEnd.rss) };
    const received = held.map((s, i) => s.keepAlives - keepAlivesAtStart[i]).sort((a, b) => a - b);
    const endedEarly = held.filter((s) => s.endedEarly).length;
    o.log(`streams: end of hold ${memoryText(atEnd)}, ${atEnd.connections} server connections; ${endedEarly} streams ended early`);

    for (const stream of held) stream.close();
    const first = await settle(server, start, o.tolerance, { notBefore: settled(), maxWaitMs: o.settleMs });
    const { after } = first;
    o.log(`streams: after closing ${memoryText(after)}, ${after.connections} server connections`);

    // RSS still up: the same load again must not raise it further (retention, not growth).
    let second: Awaited<ReturnType<typeof settle>> | undefined;
    if (!first.rssBack) {
      const again = await openAll(server, o.streams, agent, streams, o.concurrency, errors);
      all.push(...again.held);
      await sleep(2 * o.keepAliveMs);
      for (const stream of again.held) stream.close();
      second = await settle(server, after, o.tolerance, { notBefore: settled(), maxWaitMs: o.settleMs });
      o.log(`streams: after a second round ${memoryText(second.after)}`);
    }

    const n = held.length;
    const expected = Math.floor(o.holdMs / o.keepAliveMs);
    const minKeepAlives = received[0] ?? 0;
    const medianKeepAlives = received[received.length >> 1] ?? 0;
    const stalled = during.maxMs() > o.stallMs || probeErrors.total > 0 || during.count === 0;
    const rssOk = first.rssBack || (second?.rssBack ?? false);
    const pct = (o.tolerance.fraction * 100).toFixed(0);
    const rssNote = first.rssBack
      ? "RSS back"
      : `RSS ${mb(after.rss - start.rss)} over the start (anonymous ${mb(after.rssAnon - start.rssAnon)}); after a second round of ${o.streams} streams ${memoryText(second!.after)}: ${second!.rssBack ? `within ${pct} % of the first round, so kept, not growing` : "STILL GROWING"}`;
    const load = `${o.streams} SSE streams (${gets} 2025 GET + ${listens} 2026 listen), held ${o.holdMs / 1000} s, keep-alive ${o.keepAliveMs / 1000} s`;
    const perStream = (peak.heapUsed - start.heapUsed) / n;
    const rows: Row[] = [
      {
        test: "streams: open and held",
        load,
        result: `${n} opened in ${(round.openMs / 1000).toFixed(1)} s, ${errors.total} errors${errors.total ? ` (${errors.summary()})` : ""}; ${endedEarly} ended early; ${opened.connections} server connections`,
        ok: errors.total === 0 && endedEarly === 0 && n === o.streams,
      },
      {
        test: "streams: memory per stream at peak",
        load,
        result: `${kb(perStream)} heap, ${kb((peak.rss - start.rss) / n)} RSS per stream; GET stream + its session ${kb((withGets.heapUsed - start.heapUsed) / gets)} heap, listen stream ${kb((opened.heapUsed - withGets.heapUsed) / listens)} heap; start ${memoryText(start)}, peak ${memoryText(peak)}`,
        ok: n > 0,
      },
      {
        test: "streams: keep-alives received",
        load,
        result: `per stream over the hold: min ${minKeepAlives}, median ${medianKeepAlives} (expected ≈ ${expected}), all ${n} streams counted`,
        ok: n > 0 && minKeepAlives >= Math.max(1, expected - 1),
      },
      {
        test: "streams: fresh clients while open (initialize + initialized + tools/call)",
        load,
        result: `before: p50 ${ms(before.ms(50))}, max ${ms(before.maxMs())}; while open: ${during.count} clients, p50 ${ms(during.ms(50))}, p99 ${ms(during.ms(99))}, max ${ms(during.maxMs())}; ${probeErrors.total} failed${probeErrors.total ? ` (${probeErrors.summary()})` : ""}; stall limit ${ms(o.stallMs)}`,
        ok: !stalled,
      },
      {
        test: `streams: memory back within ${pct} % after closing`,
        load,
        result: `start ${memoryText(start)}; peak ${memoryText(peak)}; after ${memoryText(after)} (${(first.waitedMs / 1000).toFixed(0)} s after timeout + sweep) → heap ${first.heapBack ? "back" : "NOT back"}; ${rssNote}`,
        ok: first.heapBack && rssOk,
      },
    ];
    return {
      phase: "streams",
      rows,
      durationMs: Date.now() - began,
      figures: {
        opened: n, errors: errors.total, endedEarly, perStreamHeap: perStream, minKeepAlives, expectedKeepAlives: expected,
        probesDuring: during.count, probeP50Before: before.ms(50), probeP50During: during.ms(50), probeMaxDuring: during.maxMs(), probeErrors: probeErrors.total,
        startHeap: start.heapUsed, peakHeap: peak.heapUsed, afterHeap: after.heapUsed, startRss: start.rss, afterRss: after.rss, rssOk: Number(rssOk),
      },
    };
  } finally {
    for (const stream of all) stream.close();
    agent.destroy();
    streams.destroy();
  }
}
