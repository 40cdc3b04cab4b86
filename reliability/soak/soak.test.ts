/**
 * The soak at small scale, every phase against its own server process, asserting the same
 * properties as `npm run soak`: no errors, memory back near its start once sessions and streams
 * are gone, a flat heap under calls, fresh clients served while streams are open.
 * Memory is asserted on the heap after GC; RSS at this scale is mostly allocator noise.
 */
import { describe, expect, it } from "vitest";
import { callsPhase } from "./calls.js";
import { plan } from "./plan.js";
import { sessionsPhase } from "./sessions.js";
import { streamsPhase } from "./streams.js";
import { MB } from "./util.js";

// 10 % plus 1.5 MB: at a few MB of heap, JIT output alone moves the figure by several percent.
const settings = plan(0.02, { fraction: 0.1, slackBytes: 1.5 * MB });
const log = () => {};
const row = (rows: { test: string; ok: boolean; result: string }[], prefix: string) => rows.find((r) => r.test.startsWith(prefix))!;

describe("soak (small scale)", { concurrent: false }, () => {
  it("2 000 idle sessions: no errors, they expire, heap comes back", async () => {
    const result = await sessionsPhase({ ...settings.sessions, sessions: 2_000, sessionTimeoutMs: 1_000, log });
    const f = result.figures;
    expect(f.errors, row(result.rows, "sessions: requests").result).toBe(0);
    expect(f.created).toBe(2_000);
    expect(f.expired).toBe(1);
    expect(f.peakHeap).toBeGreaterThan(f.startHeap); // the sessions were really held
    expect(f.afterHeap, row(result.rows, "sessions: memory back").result).toBeLessThanOrEqual(f.startHeap * 1.1 + 1.5 * MB);
  }, 30_000);

  it("300 streams for 3 s: all held, keep-alives arrive, fresh clients are served, heap comes back", async () => {
    const result = await streamsPhase({ ...settings.streams, streams: 300, holdMs: 3_000, keepAliveMs: 300, sessionTimeoutMs: 1_000, log });
    const f = result.figures;
    expect(f.errors + f.endedEarly, row(result.rows, "streams: open").result).toBe(0);
    expect(f.opened).toBe(300);
    expect(f.minKeepAlives, row(result.rows, "streams: keep-alives").result).toBeGreaterThanOrEqual(f.expectedKeepAlives - 1);
    expect(f.probeErrors, row(result.rows, "streams: fresh").result).toBe(0);
    expect(f.probesDuring).toBeGreaterThan(5);
    expect(f.probeMaxDuring, row(result.rows, "streams: fresh").result).toBeLessThan(1_000);
    expect(f.afterHeap, row(result.rows, "streams: memory back").result).toBeLessThanOrEqual(f.startHeap * 1.1 + 1.5 * MB);
  }, 40_000);

  it("20 000 calls of both eras: no errors, heap flat", async () => {
    const result = await callsPhase({ ...settings.calls, calls: 20_000, log });
    const f = result.figures;
    expect(f.errors, row(result.rows, "calls: errors").result).toBe(0);
    expect(f.lastHeap, row(result.rows, "calls: heap").result).toBeLessThanOrEqual(f.firstHeap * 1.1 + 1.5 * MB);
    expect(f.maxHeap, row(result.rows, "calls: heap").result).toBeLessThanOrEqual(f.firstHeap * 1.1 + 1.5 * MB);
  }, 40_000);
});
