/**
 * A fresh client, timed: a new connection, initialize + notifications/initialized + tools/call.
 * Run before and while the streams are open, it tells whether the server still serves newcomers.
 */
import { Agent } from "node:http";
import { type Endpoint, expectEcho, legacyCall, openSession, post, sessionHeaders } from "./http.js";
import { type ErrorTally, type Latencies, sleep } from "./util.js";

/** One fresh client; records its total time in `latency`, or its failure in `errors`. */
export async function probeOnce(to: Endpoint, latency: Latencies, errors: ErrorTally, timeoutMs: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const started = performance.now();
  try {
    const sessionId = await openSession(to, agent, timeoutMs);
    expectEcho(await post(to, agent, sessionHeaders(sessionId), legacyCall(1, "echo", "probe"), timeoutMs), "probe");
    latency.since(started);
  } catch (error) {
    errors.add(error);
  } finally {
    agent.destroy();
  }
}

/** Fresh clients one after another, `gapMs` apart, until `until()` says stop (at most `max`). */
export async function probeWhile(to: Endpoint, latency: Latencies, errors: ErrorTally, until: () => boolean, gapMs: number, timeoutMs: number, max = 10_000): Promise<void> {
  for (let i = 0; i < max && !until(); i++) {
    await probeOnce(to, latency, errors, timeoutMs);
    await sleep(gapMs);
  }
}
