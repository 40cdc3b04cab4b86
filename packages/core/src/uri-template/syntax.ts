/** The grammar of RFC 6570 templates: limits, operators, and the parser that turns a template into parts. */

import { encode, isHex } from "./encoding.js";

/** Longer templates are refused: they are written by server authors, so this only guards mistakes. */
const MAX_TEMPLATE_LENGTH = 1024;
/** Bounds the size of the compiled RegExp and the work done per match. */
const MAX_EXPRESSIONS = 32;
const MAX_VARIABLES = 64;
/** URIs come from clients; anything longer is rejected before the RegExp runs. */
export const MAX_URI_LENGTH = 8192;

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

export type Operator = "" | "+" | "#" | "." | "/" | ";" | "?" | "&";

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

export const RULES: Readonly<Record<Operator, OperatorRules>> = {
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

export interface VarSpec {
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

export interface Expression {
  readonly kind: "expression";
  readonly operator: Operator;
  readonly vars: readonly VarSpec[];
  /** Position of the opening brace, for error messages. */
  readonly position: number;
}

export type Part = Literal | Expression;

export function parseTemplate(template: string): Part[] {
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
