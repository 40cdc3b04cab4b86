/**
 * Phase "sessions": many idle 2025-era sessions (initialize + notifications/initialized over real
 * HTTP, bounded concurrency on keep-alive connections), left alone until the session timeout has
 * passed and the storage sweeper has run. Memory at start, at peak and after; the target is that
 * it comes back to within 10 % of the start, and that every request succeeded.
 */
import { endpoint, openSession, pool, send, sessionHeaders } from "./http.js";
import { type SoakServer, withServer } from "./process.js";
import type { MeasuredPhase, Row } from "./report.js";
import { settle } from "./settle.js";
import { errorTally, kb, memoryText, runBounded } from "./util.js";
import { warmUp } from "./warmup.js";

export interface SessionsOptions {
  sessions: number;
  /** Connections (and so requests in flight). */
  connections: number;
  sessionTimeoutMs: number;
  sweepIntervalMs: number;
  /** Allowed growth of heap and RSS after expiry over the start: a fraction, plus bytes of slack. */
  tolerance: { fraction: number; slackBytes: number };
  /** How long memory may take to come back once the sweeper has run (ms). */
  settleMs: number;
  log: (line: string) => void;
}

export async function sessionsPhase(o: SessionsOptions): Promise<MeasuredPhase> {
  const began = Date.now();
  return withServer({ sessionTimeoutMs: o.sessionTimeoutMs, keepAliveMs: 15_000, sweepIntervalMs: o.sweepIntervalMs }, (server) => run(server, o, began));
}

async function run(server: SoakServer, o: SessionsOptions, began: number): Promise<MeasuredPhase> {
  const to = endpoint(server.url);
  const agent = pool(o.connections);
  const errors = errorTally();
  try {
    await warmUp(to, agent);
    const start = await server.memory();
    o.log(`sessions: start ${memoryText(start)}; creating ${o.sessions} sessions on ${o.connections} connections`);

    // When each session was last touched: it expires sessionTimeout after that.
    const touched = new Float64Array(o.sessions);
    const ids: string[] = new Array(o.sessions);
    const createStart = Date.now();
    await runBounded(o.sessions, o.connections, async (i) => {
      try {
        ids[i] = await openSession(to, agent);
        touched[i] = Date.now();
      } catch (error) {
        errors.add(error);
      }
    });
    const createMs = Date.now() - createStart;
    const peakAt = Date.now();
    const peak = await server.memory();
    // Sessions the peak figure really holds: on a slow machine the first ones may have expired already.
    const aliveAtPeak = touched.reduce((n, t) => (t > 0 && t + o.sessionTimeoutMs > peakAt ? n + 1 : n), 0);
    const created = o.sessions - errors.total;
    o.log(`sessions: ${created} created in ${(createMs / 1000).toFixed(1)} s (${Math.round((created / createMs) * 1000)}/s); peak ${memoryText(peak)}, ${aliveAtPeak} alive`);

    // Idle until every session has timed out and the sweeper has run once more.
    const lastTouched = touched.reduce((a, b) => Math.max(a, b), 0);
    const { after, heapBack, rssBack, waitedMs } = await settle(server, start, o.tolerance, { notBefore: lastTouched + o.sessionTimeoutMs + o.sweepIntervalMs + 1_000, maxWaitMs: o.settleMs });
    o.log(`sessions: after the timeout ${memoryText(after)} (${(waitedMs / 1000).toFixed(0)} s after the sweep)`);

    // Expired means gone: the first and the last session are both 404 now.
    const probes = [ids.find(Boolean), ids.findLast(Boolean)].filter((id): id is string => !!id);
    const statuses = await Promise.all(probes.map((id) => send(to, agent, "POST", sessionHeaders(id), '{"jsonrpc":"2.0","id":1,"method":"ping"}').then((r) => r.status)));
    const expired = statuses.every((status) => status === 404);
    // And the server still serves a new client.
    let fresh = true;
    await openSession(to, agent).catch((error) => {
      fresh = false;
      errors.add(error);
    });

    const perSessionHeap = aliveAtPeak ? (peak.heapUsed - start.heapUsed) / aliveAtPeak : NaN;
    const perSessionRss = aliveAtPeak ? (peak.rss - start.rss) / aliveAtPeak : NaN;
    const pct = (o.tolerance.fraction * 100).toFixed(0);
    const load = `${o.sessions} idle 2025-11-25 sessions, ${o.connections} keep-alive connections, sessionTimeout ${o.sessionTimeoutMs / 1000} s`;
    const rows: Row[] = [
      {
        test: "sessions: requests",
        load,
        result: `${errors.total} errors${errors.total ? ` (${errors.summary()})` : ""}; ${created} sessions in ${(createMs / 1000).toFixed(1)} s (${Math.round((created / createMs) * 1000)} sessions/s); expired sessions answer 404: ${expired ? "yes" : `no (${statuses.join(", ")})`}; a new client is served after: ${fresh ? "yes" : "no"}`,
        ok: errors.total === 0 && expired && fresh,
      },
      {
        test: "sessions: memory per idle session at peak",
        load,
        result: `${kb(perSessionHeap)} heap, ${kb(perSessionRss)} RSS per session (${aliveAtPeak} alive at peak)`,
        ok: aliveAtPeak > 0,
      },
      {
        test: `sessions: memory back within ${pct} % after the timeout`,
        load,
        result: `start ${memoryText(start)}; peak ${memoryText(peak)}; after ${memoryText(after)} (${(waitedMs / 1000).toFixed(0)} s after timeout + sweep) → heap ${heapBack ? "back" : "NOT back"}, RSS ${rssBack ? "back" : "NOT back"}`,
        ok: heapBack && rssBack,
      },
    ];
    return {
      phase: "sessions",
      rows,
      durationMs: Date.now() - began,
      figures: { errors: errors.total, created, aliveAtPeak, perSessionHeap, perSessionRss, startHeap: start.heapUsed, peakHeap: peak.heapUsed, afterHeap: after.heapUsed, startRss: start.rss, peakRss: peak.rss, afterRss: after.rss, expired: Number(expired) },
    };
  } finally {
    agent.destroy();
  }
}
