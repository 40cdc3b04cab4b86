/** The soak's result table: one row per measured property, with the command, runtime and machine. */
import { cpus, totalmem } from "node:os";

export interface Row {
  test: string;
  load: string;
  result: string;
  ok: boolean;
}

export interface PhaseResult {
  phase: string;
  rows: Row[];
  /** Wall time of the phase, ms. */
  durationMs: number;
}

export const runtime = () => `Node ${process.version}`;
export const machine = () => `${cpus().length} cores, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB RAM`;

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** A Markdown table (readable as text, pastes into an issue). */
export function table(results: PhaseResult[], command: string): string {
  const lines = ["| test | load | result | command | runtime | machine |", "|---|---|---|---|---|---|"];
  for (const { rows } of results) {
    for (const row of rows) {
      lines.push(`| ${cell(row.test)} | ${cell(row.load)} | ${row.ok ? "✓" : "✗ MISSED:"} ${cell(row.result)} | \`${cell(command)}\` | ${runtime()} | ${machine()} |`);
    }
  }
  const durations = results.map((r) => `${r.phase} ${(r.durationMs / 1000).toFixed(0)} s`).join(", ");
  lines.push("", `Durations: ${durations}.`);
  return lines.join("\n");
}

/** A phase's rows plus its raw figures, which the bounded test asserts on. */
export type MeasuredPhase = PhaseResult & { figures: Record<string, number> };
