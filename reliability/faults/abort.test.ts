/**
 * Issue 12, faults (a): a client that goes away mid-call. The fault server runs as a real process
 * on Node, Bun and Deno; each sample starts a call whose handler waits on ctx.signal, closes the
 * client's socket once the handler runs, and times socket close → signal (server.ts reports the
 * instant over stdout; both clocks are the machine's wall clock).
 *
 * Expected (packages/core): a JSON answer in either era and any 2026-07-28 answer abort the
 * handler on disconnect; a 2025 SSE answer does not (the client may resume with Last-Event-ID)
 * and is aborted by notifications/cancelled instead.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AbortRun, ms, measureAborts, summarize } from "./measure.js";
import { type FaultProcess, RUNTIMES } from "./proc.js";
import { startFaultServer } from "./proc.js";

const SAMPLES = 20;
const LIMIT_MS = 100;

const show = (run: AbortRun) => {
  const s = run.delays.length ? summarize(run.delays) : undefined;
  return `${run.era} ${run.kind} pad ${run.pad}: ${s ? `n ${s.n} min ${ms(s.min)} p50 ${ms(s.p50)} p99 ${ms(s.p99)} max ${ms(s.max)} ms` : "no signal"}; missing ${run.missing.length}, fired on disconnect ${run.firedOnDisconnect.length}; ${run.problems.join("; ")}`;
};

/** Every sample's signal fired, each within LIMIT_MS of its trigger. */
function expectAllWithinLimit(run: AbortRun) {
  const what = show(run);
  expect(run.problems, what).toEqual([]);
  expect(run.missing, what).toEqual([]);
  expect(run.firedOnDisconnect, what).toEqual([]);
  expect(run.delays, what).toHaveLength(SAMPLES);
  // A sanity check of the cross-process clock comparison: a signal cannot fire before its trigger.
  expect(Math.min(...run.delays), what).toBeGreaterThan(-5);
  expect(Math.max(...run.delays), what).toBeLessThan(LIMIT_MS);
}

/** Watch mode: the disconnect fired no signal (within the quiet period), and set-up went fine. */
function expectNoSignal(run: AbortRun) {
  const what = show(run);
  expect(run.problems, what).toEqual([]);
  expect(run.firedOnDisconnect, what).toEqual([]);
  expect(run.missing, what).toHaveLength(SAMPLES);
}

describe.each(RUNTIMES)("a client that goes away mid-call, on %s", (runtime) => {
  let server: FaultProcess;
  beforeAll(async () => {
    // A short shutdownTimeout: on Deno some handlers are still waiting when the suite stops it.
    server = await startFaultServer(runtime, { FAULT_SHUTDOWN_MS: "200" });
  }, 40_000);
  afterAll(async () => {
    await server?.stop();
  });

  it(`2025 JSON answer: the disconnect aborts ctx.signal within ${LIMIT_MS} ms (all of ${SAMPLES})`, async () => {
    expectAllWithinLimit(await measureAborts(server, "2025", "json", { samples: SAMPLES }));
  });

  it(`2026 SSE answer: the disconnect aborts ctx.signal within ${LIMIT_MS} ms (all of ${SAMPLES})`, async () => {
    expectAllWithinLimit(await measureAborts(server, "2026", "sse", { samples: SAMPLES }));
  });

  it(`2025 SSE answer: the disconnect does not abort ctx.signal; notifications/cancelled does, within ${LIMIT_MS} ms`, async () => {
    const run = await measureAborts(server, "2025", "sse", { samples: SAMPLES, quietMs: 300 });
    expect(run.trigger).toBe("notifications/cancelled");
    expectAllWithinLimit(run); // includes: no signal fired on the disconnect alone
  });

  if (runtime !== "deno") {
    it(`2026 JSON answer: the disconnect aborts ctx.signal within ${LIMIT_MS} ms (all of ${SAMPLES})`, async () => {
      expectAllWithinLimit(await measureAborts(server, "2026", "json", { samples: SAMPLES }));
    });

    it(`JSON answer to a request over 1 KB (2025): the disconnect aborts ctx.signal within ${LIMIT_MS} ms`, async () => {
      expectAllWithinLimit(await measureAborts(server, "2025", "json", { samples: SAMPLES, pad: 1024 }));
    });
  } else {
    // Documented runtime limitation (Deno 2.8.3+, its own HTTP/1.1 server; seen on 2.9.6): while no
    // response has started, Deno.serve notices a client's disconnect (request.signal) only when
    // the whole request came in one read of ~512 bytes or less. A larger request (every 2026-07-28
    // tools/call, whose _meta alone is ~200 bytes, or 2025 arguments past ~300 bytes) is not
    // noticed until the response is written: the handler runs on to its end (or callTimeout).
    // Reproduced with a bare Deno.serve handler, without Wisp. SSE answers are not affected (the
    // response has started). If these start failing, Deno fixed it: make them like Node's and Bun's.
    it("Deno limitation: a JSON answer to a request over ~512 bytes (any 2026 call) is not aborted on disconnect", async () => {
      expectNoSignal(await measureAborts(server, "2026", "json", { samples: SAMPLES, mode: "watch", quietMs: 500 }));
      expectNoSignal(await measureAborts(server, "2025", "json", { samples: SAMPLES, pad: 1024, mode: "watch", quietMs: 500 }));
    });
  }
});
