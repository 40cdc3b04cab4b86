import type { OutputUnit } from "@cfworker/json-schema";
import { dedupeIssues, escapePointerSegment, formatIssues } from "./issues.js";
import type { SchemaIssue } from "./types.js";

/*
 * @cfworker/json-schema reports a flat list where a failing subschema is announced by a
 * "wrapper" unit ("Property "x" does not match schema.") followed by the units that say
 * what is actually wrong. People need the latter, with the path of the offending value.
 */

/** Units that only announce that the units after them failed. */
const WRAPPER_KEYWORDS = new Set([
  "properties",
  "patternProperties",
  "additionalProperties",
  "unevaluatedProperties",
  "items",
  "prefixItems",
  "additionalItems",
  "unevaluatedItems",
  "$ref",
  "$recursiveRef",
  "allOf",
  "if",
  "dependentSchemas",
]);

/** Keywords a false boolean schema sits under when it forbids unknown properties. */
const PROPERTY_FORBIDDING_KEYWORDS = new Set(["additionalProperties", "unevaluatedProperties"]);

export function issuesFromOutputUnits(units: readonly OutputUnit[]): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  translateRange(units, 0, units.length, issues);
  // Safety net: should a wrapper ever arrive without its detail, say something rather than nothing.
  if (issues.length === 0) {
    for (const unit of units) issues.push({ path: pointerFromLocation(unit.instanceLocation), message: tidy(unit.error) });
  }
  return dedupeIssues(issues);
}

function translateRange(units: readonly OutputUnit[], start: number, end: number, out: SchemaIssue[]): void {
  for (let index = start; index < end; index++) {
    const unit = units[index];
    if (unit.keyword === "anyOf" || unit.keyword === "oneOf") {
      const afterAlternatives = endOfDescendants(units, index, end);
      out.push(describeAlternatives(units, index, afterAlternatives));
      index = afterAlternatives - 1;
      continue;
    }
    if (WRAPPER_KEYWORDS.has(unit.keyword)) continue;
    out.push(describeUnit(unit, index > start ? units[index - 1] : undefined));
  }
}

/** Units produced inside a keyword follow it and extend its keywordLocation. */
function endOfDescendants(units: readonly OutputUnit[], index: number, end: number): number {
  const prefix = units[index].keywordLocation + "/";
  let next = index + 1;
  while (next < end && units[next].keywordLocation.startsWith(prefix)) next++;
  return next;
}

/**
 * Listing every alternative's failures as separate issues would claim they are all
 * required; one issue that spells out the choices is what the sender can act on.
 */
function describeAlternatives(units: readonly OutputUnit[], index: number, end: number): SchemaIssue {
  const unit = units[index];
  const path = pointerFromLocation(unit.instanceLocation);
  const matches = /\((\d+) matches\)/.exec(unit.error);
  if (unit.keyword === "oneOf" && matches !== null && Number(matches[1]) > 1) {
    return { path, message: `matches ${matches[1]} alternatives but must match exactly one` };
  }

  const prefix = unit.keywordLocation + "/";
  const alternatives: string[] = [];
  let groupStart = index + 1;
  for (let next = index + 1; next <= end; next++) {
    const sameGroup =
      next < end && alternativeOf(units[next], prefix) === alternativeOf(units[groupStart], prefix);
    if (sameGroup) continue;
    if (next > groupStart) {
      const groupIssues: SchemaIssue[] = [];
      translateRange(units, groupStart, next, groupIssues);
      if (groupIssues.length > 0) alternatives.push(`(${formatIssues(dedupeIssues(groupIssues))})`);
    }
    groupStart = next;
  }

  const quantity = unit.keyword === "oneOf" ? "exactly one" : "at least one";
  if (alternatives.length === 0) return { path, message: `must match ${quantity} of the allowed alternatives` };
  return { path, message: `must match ${quantity} of: ${alternatives.join(" or ")}` };
}

function alternativeOf(unit: OutputUnit, prefix: string): string {
  const rest = unit.keywordLocation.slice(prefix.length);
  const slash = rest.indexOf("/");
  return slash === -1 ? rest : rest.slice(0, slash);
}

function describeUnit(unit: OutputUnit, previous: OutputUnit | undefined): SchemaIssue {
  const path = pointerFromLocation(unit.instanceLocation);
  switch (unit.keyword) {
    case "required": {
      // Pointing at the missing property itself reads as "name: required".
      const missing = /required property "(.*)"\.$/.exec(unit.error);
      if (missing !== null) return { path: `${path}/${escapePointerSegment(missing[1])}`, message: "required" };
      break;
    }
    case "type": {
      const mismatch = /^Instance type "(\w+)" is invalid\. Expected (.+)\.$/.exec(unit.error);
      if (mismatch !== null) {
        const expected = mismatch[2].replaceAll('"', "").split(", ").join(" or ");
        return { path, message: `expected ${expected}, received ${mismatch[1]}` };
      }
      break;
    }
    case "const": {
      const constant = /^Instance does not match (.*)\.$/.exec(unit.error);
      if (constant !== null) return { path, message: `must be ${constant[1]}` };
      break;
    }
    case "enum": {
      const allowed = /^Instance does not match any of (.*)\.$/.exec(unit.error);
      if (allowed !== null) return { path, message: `must be one of ${allowed[1]}` };
      break;
    }
    case "false":
      return {
        path,
        message:
          previous !== undefined && PROPERTY_FORBIDDING_KEYWORDS.has(previous.keyword)
            ? "unexpected property"
            : "not allowed",
      };
    case "not":
      return { path, message: 'must not match the schema under "not"' };
  }
  return { path, message: tidy(unit.error) };
}

/** cfworker locations are URI fragments ("#/a~1b%20c"); issues carry plain JSON Pointers ("/a~1b c"). */
function pointerFromLocation(location: string): string {
  const fragment = location.startsWith("#") ? location.slice(1) : location;
  if (!fragment.includes("%")) return fragment;
  try {
    return decodeURIComponent(fragment);
  } catch {
    return fragment;
  }
}

/** "Instance does not have at least 2 properties." -> "value does not have at least 2 properties" */
function tidy(message: string): string {
  const trimmed = message.endsWith(".") ? message.slice(0, -1) : message;
  return trimmed.startsWith("Instance ") ? `value ${trimmed.slice("Instance ".length)}` : trimmed;
}
