import type { SchemaIssue } from "./types.js";

/** Escapes one path segment for a JSON Pointer (RFC 6901). */
export function escapePointerSegment(segment: string): string {
  if (!segment.includes("~") && !segment.includes("/")) return segment;
  return segment.replaceAll("~", "~0").replaceAll("/", "~1");
}

/**
 * One line for logs and error results, e.g.
 * "address/city: Expected string, received number; name: required".
 * Root issues carry no path prefix because there is nothing useful to name.
 */
export function formatIssues(issues: readonly SchemaIssue[]): string {
  return issues.map((issue) => (issue.path === "" ? issue.message : `${issue.path.slice(1)}: ${issue.message}`)).join("; ");
}

/** Drops exact repeats, which overlapping keywords (allOf + if/else, say) routinely produce. */
export function dedupeIssues(issues: SchemaIssue[]): SchemaIssue[] {
  if (issues.length < 2) return issues;
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
