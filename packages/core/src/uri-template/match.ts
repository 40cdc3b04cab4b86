/** Matching a URI against a template: the inverse of expansion, with the rules documented on `UriTemplate.match()`. */

import { decode } from "./encoding.js";
import { RULES, type Expression, type Operator, type Part, type VarSpec } from "./syntax.js";

// ---------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------

/**
 * How one expression is matched. `group` names its capture group; query
 * continuations that directly follow another query expression have none,
 * because the earlier group already captured their part of the URI.
 */
interface MatchPlan {
  readonly expression: Expression;
  readonly group: string | undefined;
}

export interface Matcher {
  readonly regex: RegExp;
  readonly plans: readonly MatchPlan[];
}

/** The follow set of a position is unknown when a prefix-less expression (`{x}`, `{+x}`) can come next. */
const UNKNOWN = null;

const isQueryOperator = (op: Operator): boolean => op === "?" || op === "&";

/**
 * Characters an expression's captured text may contain before we narrow it.
 * Simple and label/path/matrix values are single segments; query values stop
 * at the fragment; `+` and `#` may contain anything (they exist to carry '/').
 */
function baseExclusions(expression: Expression): string {
  const multi = expression.vars.length > 1 || expression.vars.some((v) => v.explode);
  switch (expression.operator) {
    case "":
    case ".":
    case ";":
      return "/?#";
    case "/":
      // A single `{/x}` is one segment; `{/x,y}` and `{/list*}` span several.
      return multi ? "?#" : "/?#";
    case "?":
    case "&":
      return "#";
    case "+":
    case "#":
      return "";
  }
}

/**
 * Characters the expression needs in order to separate its own values; if the
 * text that follows starts with one of them we can't simply stop there.
 */
function isStructural(expression: Expression, ch: string): boolean {
  const { operator, vars } = expression;
  const rules = RULES[operator];
  // Any value may hold pct-triplets, so a following literal that starts with '%' can't end it.
  if (ch === "%") return true;
  if (operator === "+" || operator === "#") return ch !== "?" && ch !== "#";
  if (rules.named) return ch === rules.sep || ch === "=" || ch === ",";
  const multi = vars.length > 1 || vars.some((v) => v.explode);
  return multi && (ch === rules.sep || ch === ",");
}

const escapeRegExp = (text: string): string => text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
const escapeClassChar = (ch: string): string => (/[\\\]^\-[]/.test(ch) ? `\\${ch}` : ch);
const firstChar = (text: string): string => String.fromCodePoint(text.codePointAt(0) as number);

/**
 * Compiles the template into one anchored RegExp.
 *
 * Each expression is one capture group with one flat character class: `([cls]+)`
 * for prefix-less expressions (required, non-empty) and `(P[cls]*|)` for
 * prefixed ones (optional; P is the operator character). Backtracking is what
 * could make such a RegExp slow, so the class of each expression excludes the
 * characters that can start whatever follows it: the expression then ends at
 * the first such character and, if the following text can't start there,
 * nothing else can either. That gives "first occurrence" semantics:
 * `{name}.{ext}` on `a.b.c` yields name "a", ext "b.c".
 *
 * Some expressions can't be narrowed that way: `{+path}/here` must let path
 * contain '/', `up{+path}{var}` has no character between the two expressions,
 * and `X{.var}.txt` may or may not contain the optional `.var`. The first such
 * expression keeps ordinary greedy backtracking (so `{+path}/here` works).
 * Later ones are settled locally instead, either by excluding the follow
 * characters anyway or by an atomic group `(?=(...))\k<g>` that never gives
 * characters back. With a single backtracking expression and every other one
 * deterministic, a match costs at most O(n²) on the (length-capped) URI,
 * never the exponential blow-up of nested or competing quantifiers.
 */
export function compileMatcher(parts: readonly Part[]): Matcher {
  // Query continuations right after another query expression (`{?a}{&b}`)
  // share that expression's capture, so parameters may come in any order.
  const merged = new Set<number>();
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i];
    const previous = parts[i - 1];
    if (part.kind === "expression" && part.operator === "&" && previous.kind === "expression" && isQueryOperator(previous.operator)) {
      merged.add(i);
    }
  }

  /** First characters of whatever can come right after parts[index]; end of input contributes nothing. */
  const followSet = (index: number): Set<string> | typeof UNKNOWN => {
    const chars = new Set<string>();
    for (let j = index + 1; j < parts.length; j++) {
      const part = parts[j];
      if (part.kind === "literal") {
        chars.add(firstChar(part.raw));
        chars.add(firstChar(part.encoded));
        return chars;
      }
      if (merged.has(j)) continue;
      const { first } = RULES[part.operator];
      if (first === "") return UNKNOWN;
      chars.add(first); // prefixed expressions are optional, so what follows them can come next too
    }
    return chars;
  };

  let source = "^";
  const plans: MatchPlan[] = [];
  let backtrackingUsed = false;

  parts.forEach((part, index) => {
    if (part.kind === "literal") {
      // Accept the literal as written or as expansion would encode it. Skip the
      // alternative when the literal contains '%', since "%" vs "%25" would overlap.
      const alternatives = part.raw === part.encoded || part.raw.includes("%") ? [part.raw] : [part.raw, part.encoded];
      source += alternatives.length === 1 ? escapeRegExp(part.raw) : `(?:${alternatives.map(escapeRegExp).join("|")})`;
      return;
    }
    if (merged.has(index)) {
      plans.push({ expression: part, group: undefined });
      return;
    }

    const group = `g${plans.length}`;
    plans.push({ expression: part, group });
    const prefix = RULES[part.operator].first;
    const optional = prefix !== "";
    const excluded = new Set(baseExclusions(part));
    const follow = followSet(index);

    // Narrow the class by every follow character the expression doesn't need itself.
    let endAmbiguous = follow === UNKNOWN;
    if (follow !== UNKNOWN) {
      for (const ch of follow) {
        if (excluded.has(ch)) continue;
        if (isStructural(part, ch)) endAmbiguous = true;
        else excluded.add(ch);
      }
    }
    // An optional expression whose prefix could equally start what follows may be present or not.
    const presenceAmbiguous = optional && (follow === UNKNOWN || follow.has(prefix));

    let atomic = false;
    if (endAmbiguous || presenceAmbiguous) {
      if (!backtrackingUsed) {
        backtrackingUsed = true;
      } else {
        if (follow !== UNKNOWN) for (const ch of follow) excluded.add(ch);
        atomic = presenceAmbiguous || follow === UNKNOWN;
      }
    }

    const cls = excluded.size === 0 ? "[^]" : `[^${[...excluded].map(escapeClassChar).join("")}]`;
    const body = optional ? `${escapeRegExp(prefix)}${cls}*|` : `${cls}+`;
    source += atomic ? `(?=(?<${group}>${body}))\\k<${group}>` : `(?<${group}>${body})`;
  });

  return { regex: new RegExp(`${source}$`, "u"), plans };
}

type MatchValue = string | string[];

/** Defines an own enumerable property, so a variable named "__proto__" is stored as data. */
function setValue(target: Record<string, MatchValue>, name: string, value: MatchValue): boolean {
  if (Object.hasOwn(target, name)) {
    // The same variable used twice must have matched the same value.
    const existing = target[name];
    return Array.isArray(existing) && Array.isArray(value)
      ? existing.length === value.length && existing.every((item, i) => item === value[i])
      : existing === value;
  }
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  return true;
}

/** Splits `a=1&b&c=2` into name → raw values, keeping repeats for exploded lists. */
function parsePairs(text: string, sep: string, into: Map<string, string[]>): void {
  for (const pair of text.split(sep)) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const key = eq === -1 ? pair : pair.slice(0, eq);
    const value = eq === -1 ? "" : pair.slice(eq + 1);
    const existing = into.get(key);
    if (existing) existing.push(value);
    else into.set(key, [value]);
  }
}

/**
 * Distributes the values of an unnamed multi-variable expression (`{x,y}`, `{/a,b}`).
 * Returns null when the text can't come from this expression.
 */
function assignPositional(expression: Expression, content: string): Array<[VarSpec, string[]]> | null {
  const { vars, operator } = expression;
  const sep = RULES[operator].sep;
  // A lone non-exploded variable takes everything, separators included (`{.v}` on ".a.b" gives "a.b").
  if (vars.length === 1 && !vars[0].explode) return [[vars[0], [content]]];

  const tokens = content.split(sep);
  const surplus = tokens.length - vars.length;
  const exploded = vars.findIndex((v) => v.explode);
  const result: Array<[VarSpec, string[]]> = [];
  let t = 0;
  for (let v = 0; v < vars.length && t < tokens.length; v++) {
    let take = 1;
    if (surplus > 0 && v === exploded) take += surplus;
    else if (surplus > 0 && exploded === -1 && v === vars.length - 1) {
      // No exploded variable to absorb the extra values: a non-exploded list may have
      // produced them with ','/'.', but '/' never appears inside a single path value.
      if (sep === "/") return null;
      result.push([vars[v], [tokens.slice(t).join(sep)]]);
      break;
    }
    result.push([vars[v], tokens.slice(t, t + take)]);
    t += take;
  }
  return result;
}

export function readMatch(plans: readonly MatchPlan[], groups: Record<string, string | undefined>): Record<string, MatchValue> | null {
  const result: Record<string, MatchValue> = {};

  // Query parameters from every query expression form one pool: they may come in
  // any order, and a `{?a}{&b}` pair is captured by the first group alone.
  const query = new Map<string, string[]>();
  for (const { expression, group } of plans) {
    const text = group === undefined ? "" : (groups[group] ?? "");
    if (isQueryOperator(expression.operator) && text !== "") parsePairs(text.slice(1), "&", query);
  }

  const store = (spec: VarSpec, raw: readonly string[]): boolean => {
    const decoded: string[] = [];
    for (const item of raw) {
      const value = decode(item);
      if (value === null) return false;
      decoded.push(value);
    }
    return setValue(result, spec.name, spec.explode ? decoded : decoded[0]);
  };

  for (const { expression, group } of plans) {
    const rules = RULES[expression.operator];
    const text = group === undefined ? "" : (groups[group] ?? "");

    if (rules.named) {
      let pairs = query;
      if (!isQueryOperator(expression.operator)) {
        if (text === "") continue;
        pairs = new Map();
        parsePairs(text.slice(1), rules.sep, pairs);
      }
      for (const spec of expression.vars) {
        const raw = pairs.get(spec.name);
        // Exploded variables collect every occurrence; others take the first.
        if (raw && !store(spec, spec.explode ? raw : raw.slice(0, 1))) return null;
      }
      continue;
    }

    // Prefixed expressions capture "" when absent, and their prefix when present.
    if (rules.first !== "" && text === "") continue;
    const assigned = assignPositional(expression, text.slice(rules.first.length));
    if (assigned === null) return null;
    for (const [spec, raw] of assigned) if (!store(spec, raw)) return null;
  }
  return result;
}
