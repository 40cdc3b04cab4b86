/** Expansion, exactly as RFC 6570 specifies it (levels 1–4, no associative arrays). */

import { encode, truncate } from "./encoding.js";
import { RULES, type Expression } from "./syntax.js";

// ---------------------------------------------------------------------------
// Expansion
// ---------------------------------------------------------------------------

export type ExpandValue = string | number | boolean | readonly string[] | undefined;

export function expandExpression(expression: Expression, values: Readonly<Record<string, ExpandValue>>): string {
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
