/**
 * RFC 6570 URI templates, as used by MCP resource templates.
 *
 * Three jobs:
 *  - expand a template with values (RFC 6570 levels 1–4, except associative arrays),
 *  - match a concrete URI against a template and recover its variables,
 *  - infer the variable names of a template literal at the type level.
 *
 * Expansion is specified exactly by the RFC. Matching is not: the RFC only
 * defines expansion, and the inverse is ambiguous in general (`{a}{b}`), so
 * the matching rules here are our own and are documented on `match()`.
 *
 * Matching compiles the template to one RegExp at construction. Every
 * expression becomes exactly one capture group holding a single flat
 * character class, so there are no nested quantifiers; see `compileMatcher`
 * for how backtracking is kept to at most one expression per template.
 */

import { expandExpression, type ExpandValue } from "./expand.js";
import { compileMatcher, readMatch, type Matcher } from "./match.js";
import { MAX_URI_LENGTH, parseTemplate, type Part } from "./syntax.js";

export { UriTemplateError } from "./syntax.js";
export type { ExpandValue } from "./expand.js";
export type { TemplateParams, TemplateVariables } from "./types.js";

// ---------------------------------------------------------------------------
// Public class
// ---------------------------------------------------------------------------

/** A compiled RFC 6570 template: `new UriTemplate("test://template/{id}/data")`. */
export class UriTemplate {
  readonly template: string;
  /** Distinct variable names in order of first appearance. */
  readonly variableNames: string[];
  readonly #parts: readonly Part[];
  readonly #matcher: Matcher;

  /** Throws UriTemplateError (with position info) on a malformed or oversized template. */
  constructor(template: string) {
    if (typeof template !== "string") throw new TypeError("URI template must be a string");
    this.template = template;
    this.#parts = parseTemplate(template);
    const names = new Set<string>();
    for (const part of this.#parts) if (part.kind === "expression") for (const v of part.vars) names.add(v.name);
    this.variableNames = Object.freeze([...names]) as string[];
    this.#matcher = compileMatcher(this.#parts);
  }

  /**
   * Returns the variables when `uri` matches the whole template, else null.
   *
   * - Values are pct-decoded; malformed pct-encoding means no match.
   * - Exploded variables (`{ids*}`, `{/path*}`) give string[]; all others a string.
   * - Prefix-less expressions (`{id}`, `{+path}`) must match at least one character.
   *   `{id}` stops at '/', '?' and '#'; `{+path}` and `{#frag}` may span '/'.
   * - Prefixed expressions (`{/x}`, `{.x}`, `{;x}`, `{?x}`, `{&x}`, `{#x}`) are optional;
   *   when absent, their variables are simply missing from the result.
   * - Query parameters (`{?q,limit}`, `{&x}`) may appear in any order and may be missing;
   *   unknown ones are ignored. Literal query text (`?fixed=yes{&x}`) must come first as written.
   * - In a multi-variable expression (`{x,y}`) missing trailing values leave those variables out.
   * - Where a URI could be split several ways, expressions end at the first character that can
   *   start what follows them, except that the first such ambiguous expression is greedy
   *   (so `{+path}/here` takes everything up to the last "/here").
   * - URIs longer than 8192 characters never match.
   */
  match(uri: string): Record<string, string | string[]> | null {
    if (typeof uri !== "string" || uri.length > MAX_URI_LENGTH) return null;
    const found = this.#matcher.regex.exec(uri);
    if (!found) return null;
    return readMatch(this.#matcher.plans, found.groups ?? {});
  }

  /**
   * Expands per RFC 6570 levels 1–4 (operators none, +, #, ., /, ;, ?, &; `{var:3}`; `*`).
   * Undefined values and empty lists are skipped; numbers and booleans are stringified.
   * Associative arrays (objects) are not supported and throw a TypeError.
   */
  expand(values: Readonly<Record<string, ExpandValue>>): string {
    let out = "";
    for (const part of this.#parts) out += part.kind === "literal" ? part.encoded : expandExpression(part, values);
    return out;
  }

  toString(): string {
    return this.template;
  }
}
