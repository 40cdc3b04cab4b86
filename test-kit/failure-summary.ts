/**
 * A vitest reporter that ends the run with one line per failed test (file, name, first error
 * line). CI keeps only the end of a long log; with this, the first failure of a cascade is
 * still in it.
 */
import type { Reporter, TestModule } from "vitest/node";

const MAX_LINES = 40;

export default class FailureSummary implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const lines: string[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state !== "failed") continue;
        const first = (result.errors?.[0]?.message ?? "").split("\n")[0].slice(0, 300);
        lines.push(`✗ ${module.moduleId.replace(process.cwd() + "/", "")} > ${test.fullName}\n    ${first}`);
      }
    }
    if (lines.length === 0) return;
    const shown = lines.slice(0, MAX_LINES);
    if (lines.length > MAX_LINES) shown.push(`… and ${lines.length - MAX_LINES} more`);
    process.stdout.write(`\nFailed tests, in the order they ran (${lines.length}):\n${shown.join("\n")}\n`);
  }
}
