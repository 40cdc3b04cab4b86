/** The run's summary as text: traffic, statuses, violations with minimal reproductions, memory. */
import type { TargetReport, ViolationGroup } from "./harness.js";
import type { MemoryFigures } from "./memory.js";
import type { Violation, WireRequest } from "./model.js";
import type { Crash } from "./targets/start.js";

const BODY_PREFIX = 300;

/** Printable body prefix: UTF-8 where it decodes, \xNN for bytes that are not. */
function bodyPrefix(body: Uint8Array | null): string {
  if (!body) return "(no body)";
  const head = body.subarray(0, BODY_PREFIX);
  let text = "";
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(head);
  } catch {
    text = Array.from(head, (byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, "0")}`)).join("");
  }
  const more = body.byteLength > BODY_PREFIX ? ` … (${body.byteLength} bytes)` : "";
  return `${text}${more}`;
}

export function formatRequest(request: WireRequest): string {
  const headers = request.headers.map(([name, value]) => `    ${name}: ${JSON.stringify(value).slice(1, -1)}`).join("\n");
  return `    ${request.method} ${request.path}\n${headers}\n    body: ${bodyPrefix(request.body)}`;
}

function formatViolation(violation: Violation): string {
  const got = violation.response?.failure ?? `${violation.response?.status} ${violation.response?.text.slice(0, 240) ?? ""}`;
  return `  rule: ${violation.rule}\n  detail: ${violation.detail.slice(0, 500)}\n  request:\n${formatRequest(violation.request)}\n  got: ${got}`;
}

function formatGroup(group: ViolationGroup): string {
  const example = group.minimal ?? group.first;
  const shrunk = group.minimal ? "shrunk" : group.shrinkTried ? "as generated: did not reproduce alone" : "as generated: past the shrink limit";
  return `- ${group.count}× ${group.key}\n  example (${shrunk}, run ${group.run}):\n${formatViolation(example)}`;
}

/** `rules: false` leaves out the coverage table (test failure messages stay short). */
export function formatTarget(report: TargetReport, { rules = true } = {}): string {
  const statuses = [...report.statuses.entries()].sort((a, b) => b[1] - a[1]).map(([status, n]) => `${status}: ${n}`).join(", ");
  const rate = Math.round(report.requests / (report.ms / 1000));
  const violations = report.violations.reduce((sum, group) => sum + group.count, 0);
  const lines = [
    `[${report.target}] seed ${report.seed}: ${report.plans} plans, ${report.requests} fuzz requests (+${report.setupRequests} setup) in ${(report.ms / 1000).toFixed(1)} s (${rate}/s)`,
    `  statuses: ${statuses}`,
    `  oracle rules exercised: ${report.rules.size}${rules ? "" : " (table left out)"}`,
    ...(rules ? [...report.rules.entries()].sort((a, b) => b[1] - a[1]).map(([rule, n]) => `    ${String(n).padStart(7)}  ${rule}`) : []),
    `  violations: ${violations} (${report.violations.length} distinct)`,
    ...report.setupFailures.slice(0, 5).map((failure) => `  setup failure: ${failure}`),
    ...report.violations.map(formatGroup),
  ];
  return lines.join("\n");
}

export function formatMemory(before: MemoryFigures, after: MemoryFigures): string {
  return `memory after GC: rss ${before.rssMb} → ${after.rssMb} MB, heap used ${before.heapUsedMb} → ${after.heapUsedMb} MB`;
}

export function formatCrashes(crashes: Crash[]): string {
  if (crashes.length === 0) return "handler crashes (exception telemetry): 0";
  return [`handler crashes (exception telemetry): ${crashes.length}${crashes.length >= 50 ? "+" : ""}`, ...crashes.slice(0, 10).map((c) => `  ${c.target} ${c.method}: ${c.error}`)].join("\n");
}
