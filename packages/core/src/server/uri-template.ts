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

/** Longer templates are refused: they are written by server authors, so this only guards mistakes. */
const MAX_TEMPLATE_LENGTH = 1024;
/** Bounds the size of the compiled RegExp and the work done per match. */
const MAX_EXPRESSIONS = 32;
const MAX_VARIABLES = 64;
/** URIs come from clients; anything longer is rejected before the RegExp runs. */
const MAX_URI_LENGTH = 8192;

/** Raised for malformed templates; `position` is the 0-based index in the template where the problem was found. */
export class UriTemplateError extends Error {
  override readonly name = "UriTemplateError";
  readonly template: string;
  readonly position: number | undefined;

  constructor(reason: string, template: string, position?: number) {
    // Quote a shortened template so a huge one doesn't flood logs.
    const shown = template.length > 120 ? `${template.slice(0, 117)}...` : template;
    super(`Invalid URI template "${shown}": ${reason}${position === undefined ? "" : ` at position ${position}`}`);
    this.template = template;
    this.position = position;
  }
}

// ---------------------------------------------------------------------------
// Operators (RFC 6570 appendix A table)
// ---------------------------------------------------------------------------

type Operator = "" | "+" | "#" | "." | "/" | ";" | "?" | "&";

interface OperatorRules {
  /** Emitted before the first defined value. */
  readonly first: string;
  /** Emitted between values (and between exploded list items). */
  readonly sep: string;
  /** Whether values are emitted as `name=value` pairs. */
  readonly named: boolean;
  /** What follows the name when the value is the empty string. */
  readonly ifEmpty: string;
  /** Whether reserved characters and existing pct-triplets pass through unencoded. */
  readonly allowReserved: boolean;
}

const RULES: Readonly<Record<Operator, OperatorRules>> = {
  "": { first: "", sep: ",", named: false, ifEmpty: "", allowReserved: false },
  "+": { first: "", sep: ",", named: false, ifEmpty: "", allowReserved: true },
  "#": { first: "#", sep: ",", named: false, ifEmpty: "", allowReserved: true },
  ".": { first: ".", sep: ".", named: false, ifEmpty: "", allowReserved: false },
  "/": { first: "/", sep: "/", named: false, ifEmpty: "", allowReserved: false },
  ";": { first: ";", sep: ";", named: true, ifEmpty: "", allowReserved: false },
  "?": { first: "?", sep: "&", named: true, ifEmpty: "=", allowReserved: false },
  "&": { first: "&", sep: "&", named: true, ifEmpty: "=", allowReserved: false },
};

const OPERATOR_CHARS = "+#./;?&";
/** RFC 6570 §2.2 reserves these for future extensions; a template using them is not one we can honour. */
const FUTURE_OPERATOR_CHARS = "=,!@|";

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

interface VarSpec {
  readonly name: string;
  readonly explode: boolean;
  /** `{var:3}`: expand only the first N characters. */
  readonly maxLength: number | undefined;
}

interface Literal {
  readonly kind: "literal";
  readonly raw: string;
  /** The literal as expansion emits it: characters not allowed in a URI are pct-encoded (RFC 6570 §3.1). */
  readonly encoded: string;
}

interface Expression {
  readonly kind: "expression";
  readonly operator: Operator;
  readonly vars: readonly VarSpec[];
  /** Position of the opening brace, for error messages. */
  readonly position: number;
}

type Part = Literal | Expression;

function parseTemplate(template: string): Part[] {
  if (template.length > MAX_TEMPLATE_LENGTH) {
    throw new UriTemplateError(`template is longer than ${MAX_TEMPLATE_LENGTH} characters`, template);
  }
  const parts: Part[] = [];
  let expressions = 0;
  let variables = 0;
  let literalStart = 0;
  let i = 0;
  while (i < template.length) {
    const ch = template[i];
    if (ch === "}") throw new UriTemplateError(`unmatched "}"`, template, i);
    if (ch !== "{") {
      i++;
      continue;
    }
    if (i > literalStart) parts.push(makeLiteral(template.slice(literalStart, i)));
    const close = template.indexOf("}", i + 1);
    if (close === -1) throw new UriTemplateError(`unclosed expression (missing "}")`, template, i);
    const nested = template.indexOf("{", i + 1);
    if (nested !== -1 && nested < close) throw new UriTemplateError(`"{" inside an expression`, template, nested);

    const expression = parseExpression(template, i, close);
    expressions++;
    variables += expression.vars.length;
    if (expressions > MAX_EXPRESSIONS) {
      throw new UriTemplateError(`more than ${MAX_EXPRESSIONS} expressions`, template, i);
    }
    if (variables > MAX_VARIABLES) {
      throw new UriTemplateError(`more than ${MAX_VARIABLES} variables`, template, i);
    }
    parts.push(expression);
    i = close + 1;
    literalStart = i;
  }
  if (literalStart < template.length) parts.push(makeLiteral(template.slice(literalStart)));
  return parts;
}

function makeLiteral(raw: string): Literal {
  return { kind: "literal", raw, encoded: encode(raw, true) };
}

/** Parses `{...}` spanning template[open..close]. */
function parseExpression(template: string, open: number, close: number): Expression {
  let start = open + 1;
  if (start === close) throw new UriTemplateError("empty expression", template, open);

  let operator: Operator = "";
  const first = template[start];
  if (OPERATOR_CHARS.includes(first)) {
    operator = first as Operator;
    start++;
  } else if (FUTURE_OPERATOR_CHARS.includes(first)) {
    throw new UriTemplateError(`unsupported operator "${first}" (reserved by RFC 6570 for future use)`, template, start);
  }
  if (start === close) throw new UriTemplateError(`operator "${operator}" without a variable`, template, open);

  const vars: VarSpec[] = [];
  let specStart = start;
  for (const spec of template.slice(start, close).split(",")) {
    vars.push(parseVarSpec(template, spec, specStart));
    specStart += spec.length + 1;
  }
  return { kind: "expression", operator, vars, position: open };
}

/** Parses `name`, `name*` or `name:N`; `at` is where `spec` starts in the template. */
function parseVarSpec(template: string, spec: string, at: number): VarSpec {
  let name = spec;
  let explode = false;
  let maxLength: number | undefined;
  if (spec.endsWith("*")) {
    explode = true;
    name = spec.slice(0, -1);
    if (name.includes(":")) {
      throw new UriTemplateError(`variable cannot have both a prefix (":N") and explode ("*") modifier`, template, at);
    }
  } else {
    const colon = spec.indexOf(":");
    if (colon !== -1) {
      name = spec.slice(0, colon);
      const digits = spec.slice(colon + 1);
      // RFC 6570 §2.4.1: max-length is 1*4DIGIT without a leading zero, i.e. 1..9999.
      if (!/^[1-9][0-9]{0,3}$/.test(digits)) {
        throw new UriTemplateError(`prefix length "${digits}" must be an integer from 1 to 9999`, template, at + colon + 1);
      }
      maxLength = Number(digits);
    }
  }
  validateVarName(template, name, at);
  return { name, explode, maxLength };
}

/** RFC 6570 §2.3: varname = varchar *( ["."] varchar ), varchar = ALPHA / DIGIT / "_" / pct-encoded. */
function validateVarName(template: string, name: string, at: number): void {
  if (name === "") throw new UriTemplateError("empty variable name", template, at);
  let afterDot = true; // a name may not start with ".", nor have ".." or a trailing "."
  for (let i = 0; i < name.length; i++) {
    const ch = name[i];
    if (/[A-Za-z0-9_]/.test(ch)) {
      afterDot = false;
    } else if (ch === "%" && isHex(name[i + 1]) && isHex(name[i + 2])) {
      afterDot = false;
      i += 2;
    } else if (ch === "." && !afterDot) {
      afterDot = true;
    } else {
      throw new UriTemplateError(`invalid character "${ch}" in variable name "${name}"`, template, at + i);
    }
  }
  if (afterDot) throw new UriTemplateError(`variable name "${name}" ends with "."`, template, at + name.length - 1);
}

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

const HEX_DIGITS = "0123456789ABCDEF";
const utf8 = new TextEncoder();

const isHex = (ch: string | undefined): boolean => ch !== undefined && /^[0-9A-Fa-f]$/.test(ch);
/** RFC 3986 unreserved: always safe to emit as-is. */
const isUnreserved = (ch: string): boolean => /^[A-Za-z0-9\-._~]$/.test(ch);
/** RFC 3986 reserved (gen-delims and sub-delims): emitted as-is only by `+` and `#`. */
const isReserved = (ch: string): boolean => /^[:/?#[\]@!$&'()*+,;=]$/.test(ch);

/**
 * Pct-encodes everything outside the allowed set as UTF-8 octets (RFC 6570 §3.2.1).
 * With `allowReserved`, existing pct-triplets are kept so already-encoded input isn't double-encoded.
 */
function encode(value: string, allowReserved: boolean): string {
  let out = "";
  let i = 0;
  while (i < value.length) {
    const ch = String.fromCodePoint(value.codePointAt(i) as number);
    if (isUnreserved(ch) || (allowReserved && isReserved(ch))) {
      out += ch;
    } else if (allowReserved && ch === "%" && isHex(value[i + 1]) && isHex(value[i + 2])) {
      out += value.slice(i, i + 3);
      i += 3;
      continue;
    } else {
      // TextEncoder turns lone surrogates into U+FFFD instead of throwing like encodeURIComponent.
      for (const byte of utf8.encode(ch)) out += `%${HEX_DIGITS[byte >> 4]}${HEX_DIGITS[byte & 15]}`;
    }
    i += ch.length;
  }
  return out;
}

/** Returns null for malformed pct-encoding (bad hex or invalid UTF-8), which makes the URI not match. */
function decode(value: string): string | null {
  if (!value.includes("%")) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}

/** `{var:N}` counts characters (code points), not UTF-16 units or octets (RFC 6570 §2.4.1). */
function truncate(value: string, maxLength: number | undefined): string {
  if (maxLength === undefined || value.length <= maxLength) return value;
  let out = "";
  let count = 0;
  for (const ch of value) {
    if (count++ === maxLength) break;
    out += ch;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Expansion
// ---------------------------------------------------------------------------

export type ExpandValue = string | number | boolean | readonly string[] | undefined;

function expandExpression(expression: Expression, values: Readonly<Record<string, ExpandValue>>): string {
  const rules = RULES[expression.operator];
  const pieces: string[] = [];
  const named = (name: string, encoded: string, isEmpty: boolean) =>
    rules.named ? (isEmpty ? name + rules.ifEmpty : `${name}=${encoded}`) : encoded;

  for (const { name, explode, maxLength } of expression.vars) {
    // Own properties only: a variable called "constructor" must not pick up Object.prototype.constructor.
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (value === undefined || value === null) continue;

    if (Array.isArray(value)) {
      const list = value as readonly unknown[];
      // RFC 6570 §2.3: an empty list counts as undefined. Prefix modifiers don't apply to lists (§2.4.1).
      if (list.length === 0) continue;
      const items = list.map((item) => String(item));
      if (explode) {
        for (const item of items) pieces.push(named(name, encode(item, rules.allowReserved), item === ""));
      } else {
        const joined = items.map((item) => encode(item, rules.allowReserved)).join(",");
        pieces.push(rules.named ? `${name}=${joined}` : joined);
      }
      continue;
    }
    if (typeof value === "object") {
      throw new TypeError(`URI template variable "${name}": associative values are not supported; pass a string or a string[]`);
    }
    const text = truncate(String(value), maxLength);
    pieces.push(named(name, encode(text, rules.allowReserved), text === ""));
  }
  return pieces.length === 0 ? "" : rules.first + pieces.join(rules.sep);
}

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

interface Matcher {
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
function compileMatcher(parts: readonly Part[]): Matcher {
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

function readMatch(plans: readonly MatchPlan[], groups: Record<string, string | undefined>): Record<string, MatchValue> | null {
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

// ---------------------------------------------------------------------------
// Type-level inference
// ---------------------------------------------------------------------------

type OperatorChar = "+" | "#" | "." | "/" | ";" | "?" | "&";

/** The bodies of all `{...}` expressions, e.g. "id" | "?q,r". Tail-recursive so long templates don't hit depth limits. */
type ExpressionBodies<T extends string, Found extends string = never> = T extends `${string}{${infer Body}}${infer Rest}`
  ? ExpressionBodies<Rest, Found | Body>
  : Found;

type StripOperator<Body extends string> = Body extends `${OperatorChar}${infer Specs}` ? Specs : Body;

type SplitSpecs<Specs extends string, Found extends string = never> = Specs extends `${infer Head},${infer Tail}`
  ? SplitSpecs<Tail, Found | Head>
  : Found | Specs;

type SpecName<Spec extends string> = Spec extends `${infer Name}*` ? Name : Spec extends `${infer Name}:${string}` ? Name : Spec;

type AllSpecs<T extends string> = SplitSpecs<StripOperator<ExpressionBodies<T>>>;

/** Only the first variable of a prefix-less expression (`{id}`, `{+path}`, `{x,y}` → x) is always present after a match. */
type RequiredSpec<Body extends string> = Body extends `${Exclude<OperatorChar, "+">}${string}`
  ? never
  : StripOperator<Body> extends `${infer Head},${string}`
    ? Head
    : StripOperator<Body>;

type ExplodedNames<T extends string> = AllSpecs<T> extends infer S ? (S extends `${infer Name}*` ? Name : never) : never;
type PlainNames<T extends string> = AllSpecs<T> extends infer S ? (S extends `${string}*` ? never : SpecName<S & string>) : never;
type RequiredNames<T extends string> = SpecName<RequiredSpec<ExpressionBodies<T>>>;

/** Exploded variables match as string[]; a name used both exploded and not could be either. */
type ParamValue<T extends string, K extends string> = K extends ExplodedNames<T>
  ? K extends PlainNames<T>
    ? string | string[]
    : string[]
  : string;

type Simplify<O> = { [K in keyof O]: O[K] } & {};

/**
 * Variable names of a template literal, with operators and modifiers stripped:
 * `TemplateVariables<"a://{x}/{+y}{?q,r}">` is `"x" | "y" | "q" | "r"`; `string` for a non-literal.
 */
export type TemplateVariables<T extends string> = string extends T ? string : SpecName<AllSpecs<T>>;

/**
 * The variables a handler receives for template T, matching what `match()` returns:
 * exploded variables are string[], others string; variables that a match may leave out
 * (those in prefixed expressions such as `{?q}` or `{/path*}`, and non-first variables of
 * `{x,y}`) are optional. `Record<string, string | string[]>` when T is not a literal.
 */
export type TemplateParams<T extends string> = string extends T
  ? Record<string, string | string[]>
  : Simplify<
      { [K in RequiredNames<T>]: ParamValue<T, K> } & {
        [K in Exclude<TemplateVariables<T>, RequiredNames<T>>]?: ParamValue<T, K>;
      }
    >;
