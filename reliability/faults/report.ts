/**
 * npm run faults [-- --samples 100 --runtimes node,bun,deno --calls 1000 --streams 100]
 *
 * Prints, as markdown: the abort latency (client closes its socket, or sends
 * notifications/cancelled on a 2025 SSE answer → the handler's ctx.signal fires) per runtime ×
 * era × response kind, min/p50/p99/max over --samples samples each; then the graceful-shutdown
 * figures per runtime (SIGTERM with --calls calls in flight and --streams streams open).
 * Every server is a real process on 127.0.0.1 (reliability/faults/main-<runtime>.ts).
 */
import { cpus, platform, release, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { type AbortRun, type Kind, ms, measureAborts, shutdownUnderLoad, summarize, tally } from "./measure.js";
import { RUNTIMES, type Runtime, startFaultServer } from "./proc.js";
import type { Era } from "./wire.js";

const { values } = parseArgs({
  options: {
    samples: { type: "string", default: "100" },
    runtimes: { type: "string", default: RUNTIMES.join(",") },
    calls: { type: "string", default: "1000" },
    streams: { type: "string", default: "100" },
    "shutdown-ms": { type: "string", default: "1500" },
  },
});
const samples = Number(values.samples);
const runtimes = values.runtimes!.split(",") as Runtime[];
for (const runtime of runtimes) if (!RUNTIMES.includes(runtime)) throw new TypeError(`--runtimes: unknown runtime ${runtime}`);
const plan = { calls: Number(values.calls), streams: Number(values.streams), shutdownMs: Number(values["shutdown-ms"]), churn: 20, sessions: 50 };

const ROWS: { era: Era; kind: Kind; pad: number; label: string }[] = [
  { era: "2025", kind: "json", pad: 0, label: "2025 JSON" },
  { era: "2025", kind: "json", pad: 1024, label: "2025 JSON, 1 KB arguments" },
  { era: "2025", kind: "sse", pad: 0, label: "2025 SSE" },
  { era: "2026", kind: "json", pad: 0, label: "2026 JSON" },
  { era: "2026", kind: "sse", pad: 0, label: "2026 SSE" },
];

const versions: string[] = [];
const latencyLines: string[] = [];
const log = (line: string) => process.stderr.write(`${line}\n`);

for (const runtime of runtimes) {
  const server = await startFaultServer(runtime, { FAULT_SHUTDOWN_MS: "200" });
  versions.push(server.version);
  try {
    for (const row of ROWS) {
      log(`${server.version}: ${row.label} …`);
      // A short probe first: a runtime that does not notice the disconnect is reported as such
      // (waiting out every sample would take minutes).
      const probe = await measureAborts(server, row.era, row.kind, { samples: 3, pad: row.pad, mode: "watch", quietMs: 500 });
      const legacyStream = row.era === "2025" && row.kind === "sse";
      if (!legacyStream && probe.firedOnDisconnect.length === 0) {
        latencyLines.push(`| ${server.version} | ${row.label} | disconnect | 0/${probe.missing.length} | not noticed: no signal within 500 ms | | | |`);
        continue;
      }
      const run: AbortRun = await measureAborts(server, row.era, row.kind, { samples, pad: row.pad });
      const s = summarize(run.delays);
      const trigger = run.trigger === "disconnect" ? "disconnect" : `notifications/cancelled (disconnect fired ${run.firedOnDisconnect.length}/${samples})`;
      const note = run.missing.length || run.problems.length ? ` (${run.missing.length} missing, ${run.problems.length} problems)` : "";
      latencyLines.push(`| ${server.version} | ${row.label} | ${trigger} | ${s.n}/${samples}${note} | ${ms(s.min)} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.max)} |`);
    }
  } finally {
    await server.stop();
  }
}

const shutdownLines: string[] = [];
for (const runtime of runtimes) {
  log(`${runtime}: shutdown under load …`);
  const f = await shutdownUnderLoad(runtime, plan);
  const counts = tally(f.calls);
  const inFlight = f.calls.filter((c) => c.group === "short" || c.group === "long");
  const answeredAfter = inFlight.filter((c) => c.outcome === "result" || c.outcome === "shutting-down").map((c) => c.endedAfter);
  const unanswered = inFlight.length - answeredAfter.length;
  const late = f.calls.filter((c) => c.group === "churn" || c.group === "follow-up");
  const lateAnswered = late.filter((c) => c.outcome === "result" || c.outcome === "shutting-down").length;
  const lateRefused = late.filter((c) => c.outcome === "refused").length;
  const lateReset = late.filter((c) => c.outcome === "reset-before-response" || c.outcome === "reset-after-response");
  const lateRan = lateReset.filter((c) => c.ranOnServer).length;
  const followUps = late.filter((c) => c.group === "follow-up");
  const followReset = followUps.filter((c) => c.outcome === "reset-before-response").length;
  const closeHeader = inFlight.filter((c) => c.connectionClose && (c.outcome === "result" || c.outcome === "shutting-down")).length;
  const ended = f.streams.filter((s) => s.ended).length;
  const closing = f.streams.filter((s) => s.closingResult).length;
  const listens = f.streams.filter((s) => s.kind === "2026 listen").length;
  shutdownLines.push(
    `| ${f.version} | ${f.inFlightAtSigterm} | ${counts.short?.result ?? 0}/${plan.calls / 2} | ${counts.long?.["shutting-down"] ?? 0}/${plan.calls / 2} | ${unanswered} | ` +
      `${closeHeader}/${answeredAfter.length} | ${late.length}: ${lateAnswered} answered, ${lateRefused} refused, ${lateReset.length} reset (${lateRan} had run; follow-ups reset: ${followReset}/${followUps.length}) | ` +
      `${ended}/${f.streams.length} (${closing}/${listens} closing results) | ` +
      `${Math.round(Math.max(...answeredAfter))} | ${Math.round(f.exit.afterMs)} (code ${f.exit.code}) |`,
  );
}

const cpu = cpus();
console.log(`# Wisp faults report

Command: \`npm run faults -- --samples ${samples} --runtimes ${runtimes.join(",")} --calls ${plan.calls} --streams ${plan.streams} --shutdown-ms ${plan.shutdownMs}\`
Runtimes: ${versions.join(", ")} (client: Node ${process.versions.node})
Machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? "?"}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${platform()} ${release()}

## Abort latency (ms): trigger → the handler's ctx.signal fires

Each sample: a tools/call whose handler waits on ctx.signal (JSON answer; with a progress
notification first, SSE), then the client closes its socket once the handler runs. On a 2025 SSE
answer a disconnect must not cancel (the client may resume), so the trigger there is
notifications/cancelled, sent after the disconnect. Server and client clocks: the machine's.

| Runtime | Answer | Trigger | Fired | min | p50 | p99 | max |
|---|---|---|---|---|---|---|---|
${latencyLines.join("\n")}

## Graceful shutdown (SIGTERM → adapter close, shutdownTimeout ${plan.shutdownMs} ms)

${plan.calls} calls in flight on reused keep-alive connections, half each era: half end ${Math.round(plan.shutdownMs * 0.1)}–${Math.round(plan.shutdownMs * 0.5)} ms after
SIGTERM, half never would; ${plan.streams} open streams (half 2025 GET streams, half 2026 subscriptions/listen). Late calls:
${plan.churn} keep-alive connections sending quick calls back to back through the shutdown, and ${plan.calls / 10} clients sending one
more call as soon as their in-flight call is answered (follow-ups). "Had run": the server ran a call whose client got no
answer (must be 0). Times in ms after SIGTERM.

| Runtime | In flight | Short → result | Long → -32603 shutting down | In flight unanswered | Answers saying Connection: close | Late calls | Streams ended | Last answer | Exit |
|---|---|---|---|---|---|---|---|---|---|
${shutdownLines.join("\n")}
`);
process.exit(0);
