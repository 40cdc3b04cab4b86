/**
 * Issue 12, faults (c): SIGTERM under load, on Node, Bun and Deno. 1 000 calls in flight on
 * keep-alive connections (both eras; half end within the grace period, half never would),
 * 100 open streams (2025 GET streams, 2026 subscriptions/listen), 20 keep-alive connections
 * sending `quick` back to back through the shutdown, and 100 clients that send another call as
 * soon as their in-flight call is answered (follow-ups). The main calls the adapter's close() on SIGTERM
 * (shutdownTimeout 1 500 ms here) and exits.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type CallRecord, type ShutdownFigures, shutdownUnderLoad, tally } from "./measure.js";
import { RUNTIMES } from "./proc.js";

const PLAN = { calls: 1_000, streams: 100, shutdownMs: 1_500, churn: 20, sessions: 50 };

const describeFigures = (f: ShutdownFigures) => `${f.version}: ${JSON.stringify(tally(f.calls))}\n${f.output}`;

describe.each(RUNTIMES)("SIGTERM under load on %s", (runtime) => {
  let figures: ShutdownFigures;
  beforeAll(async () => {
    figures = await shutdownUnderLoad(runtime, PLAN);
  }, 60_000);

  it(`${PLAN.calls} calls in flight: those ending within shutdownTimeout get their result, the rest -32603 "Server shutting down" once it is over; none hangs or is cut`, () => {
    const what = describeFigures(figures);
    expect(figures.inFlightAtSigterm, what).toBe(PLAN.calls);
    const short = figures.calls.filter((c) => c.group === "short");
    const long = figures.calls.filter((c) => c.group === "long");
    expect(short).toHaveLength(PLAN.calls / 2);
    expect(long).toHaveLength(PLAN.calls / 2);
    expect(short.map((c) => c.outcome).filter((o) => o !== "result"), what).toEqual([]);
    expect(long.map((c) => c.outcome).filter((o) => o !== "shutting-down"), what).toEqual([]);
    expect(Math.max(...short.map((c) => c.endedAfter)), what).toBeLessThan(PLAN.shutdownMs);
    expect(Math.min(...long.map((c) => c.endedAfter)), what).toBeGreaterThanOrEqual(PLAN.shutdownMs - 50);
    // They rode on keep-alive connections that had served a call before (all of them when the
    // warm connections were still open at launch; a loaded machine may lose a few to idle timeouts).
    expect([...short, ...long].filter((c) => c.reused).length, what).toBeGreaterThanOrEqual(0.9 * PLAN.calls);
  });

  it("every stream ends cleanly; each 2026 listen stream with its closing result", () => {
    const { streams } = figures;
    const what = describeFigures(figures);
    expect(streams).toHaveLength(PLAN.streams);
    expect(streams.filter((s) => !s.ended), what).toEqual([]);
    expect(streams.filter((s) => s.kind === "2026 listen" && !s.closingResult), what).toEqual([]);
    expect(Math.max(...streams.map((s) => s.endedAfter)), what).toBeLessThan(PLAN.shutdownMs);
  });

  it("the process exits 0 within shutdownTimeout + 2 s", () => {
    expect(figures.exit.code, describeFigures(figures)).toBe(0);
    expect(figures.exit.afterMs, describeFigures(figures)).toBeLessThan(PLAN.shutdownMs + 2_000);
  });

  // A reset with no response is the HTTP/1.1 race of a server closing a connection the client
  // is sending on: an idle keep-alive connection closed as the request arrives (RFC 9112 §9.3.1),
  // or a new connection still in the accept queue, or not yet read, when the listener closes.
  // The client cannot tell it from a crash, but the server never ran such a request.
  it("calls racing the shutdown are answered, refused, or reset before the server ran them; never run and then dropped, cut mid-answer, or left hanging", () => {
    const late = figures.calls.filter((c) => c.group === "churn" || c.group === "follow-up");
    expect(late.filter((c) => c.group === "follow-up")).toHaveLength(PLAN.calls / 10);
    for (const c of late) {
      const detail = `${describeFigures(figures)}\n${JSON.stringify(c)}`;
      expect(["result", "shutting-down", "refused", "reset-before-response"], detail).toContain(c.outcome);
      if (c.outcome === "reset-before-response") expect(c.ranOnServer, detail).toBe(false);
    }
  });

  // Was a defect (fixed in the adapters): answers written after SIGTERM did not say
  // `Connection: close`, and a client reusing the kept-alive connection for its next call got
  // ECONNRESET with no answer (Node ≈ 80 %, Bun and Deno 100 % of such follow-up calls). Now the
  // next call opens a new connection, which is refused (never sent, safe to retry anywhere).
  // Requests already racing the close of an idle connection at SIGTERM (the churn group) remain
  // the inherent HTTP/1.1 keep-alive race (RFC 9112 §9.3.1) and are not part of this.
  it("answers written during shutdown say Connection: close, so no follow-up call is reset", () => {
    const answeredLate = figures.calls.filter((c) => (c.group === "short" || c.group === "long") && c.outcome !== "reset-before-response");
    const reset = (c: CallRecord) => c.outcome === "reset-before-response" && c.reused;
    const followUps = figures.calls.filter((c) => c.group === "follow-up");
    expect(answeredLate.filter((c) => !c.connectionClose)).toHaveLength(0);
    expect(followUps.filter(reset)).toHaveLength(0);
  });
});
