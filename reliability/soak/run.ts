/**
 * `npm run soak`: load and soak figures for a Wisp server on @wisp/node, each phase against a
 * fresh server process. Prints a table; exits 1 when a target is missed.
 *
 *   npm run soak                                   # all phases at full scale (≈ 10–20 min)
 *   npm run soak -- --phase sessions --scale 0.1   # one phase, a tenth of the load
 *   npm run soak -- --phase calls --calls 300000   # a count that fits the time at hand
 */
import { parseArgs } from "node:util";
import { callsPhase } from "./calls.js";
import { plan } from "./plan.js";
import { type PhaseResult, table } from "./report.js";
import { sessionsPhase } from "./sessions.js";
import { streamsPhase } from "./streams.js";

const PHASES = ["sessions", "streams", "calls"] as const;
type Phase = (typeof PHASES)[number];

const { values } = parseArgs({
  options: {
    phase: { type: "string", multiple: true },
    scale: { type: "string", default: "1" },
    sessions: { type: "string" },
    streams: { type: "string" },
    calls: { type: "string" },
    "hold-seconds": { type: "string" },
  },
});

const phases = (values.phase ?? [...PHASES]).flatMap((p) => p.split(",")) as Phase[];
for (const phase of phases) if (!PHASES.includes(phase)) throw new TypeError(`--phase must be one of ${PHASES.join(", ")}; got ${phase}`);
const count = (value: string | undefined) => (value === undefined ? undefined : Math.max(1, Math.round(Number(value))));
const settings = plan(Number(values.scale));
settings.sessions.sessions = count(values.sessions) ?? settings.sessions.sessions;
settings.streams.streams = count(values.streams) ?? settings.streams.streams;
settings.calls.calls = count(values.calls) ?? settings.calls.calls;
if (values["hold-seconds"] !== undefined) settings.streams.holdMs = Number(values["hold-seconds"]) * 1000;

const log = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const results: PhaseResult[] = [];
const run: Record<Phase, () => Promise<PhaseResult>> = {
  sessions: () => sessionsPhase({ ...settings.sessions, log }),
  streams: () => streamsPhase({ ...settings.streams, log }),
  calls: () => callsPhase({ ...settings.calls, log }),
};
for (const phase of phases) {
  log(`phase ${phase}`);
  const began = Date.now();
  // A phase that breaks (the server would not start, a warm-up request failed) is a missed target, not a crash.
  results.push(await run[phase]().catch((error: unknown) => ({
    phase,
    durationMs: Date.now() - began,
    rows: [{ test: `${phase}: ran to the end`, load: "", result: String(error instanceof Error ? error.stack : error), ok: false }],
  })));
}

const command = `npm run soak -- ${process.argv.slice(2).join(" ")}`.trim().replace(/ --$/, "");
console.log(table(results, command));
const missed = results.flatMap((r) => r.rows).filter((row) => !row.ok);
if (missed.length) console.log(`\n${missed.length} target(s) missed: ${missed.map((row) => row.test).join("; ")}`);
process.exit(missed.length ? 1 : 0);
