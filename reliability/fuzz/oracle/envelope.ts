/**
 * How the oracle reads a request body, from JSON-RPC 2.0 and the MCP schema rather than from
 * the server's code: is it JSON, is it a message, which era does it claim, what does it ask.
 */

export type RequestId = string | number;

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** MCP ids are strings or integers, never null (checklist §4). */
export const isValidId = (id: unknown): id is RequestId => typeof id === "string" || (typeof id === "number" && Number.isInteger(id));

export type Parsed = { json: true; value: unknown } | { json: false };

/**
 * The body as the server must see it. UTF-8 is decoded leniently (invalid bytes become U+FFFD);
 * callers also consider a strict reading where it matters (see `readings`).
 */
export function parseText(text: string): Parsed {
  try {
    return { json: true, value: JSON.parse(text) };
  } catch {
    return { json: false };
  }
}

/**
 * Every reading of the body a correct server may take. Invalid UTF-8 may be refused (-32700) or
 * decoded with replacement characters; a leading byte-order mark may be skipped or refused
 * (RFC 8259 lets parsers ignore it, and JSON texts must not carry one).
 */
export function readings(body: Uint8Array | null): Parsed[] {
  if (!body) return [{ json: false }];
  const out: Parsed[] = [];
  let bytes = body;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    out.push({ json: false });
    bytes = bytes.subarray(3);
  }
  try {
    new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    out.push({ json: false });
  }
  out.push(parseText(new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes)));
  return out;
}

export type Envelope = "valid" | "invalid" | "either";

/**
 * Whether a parsed value is one JSON-RPC message under MCP's rules: `jsonrpc: "2.0"`, a string
 * method, object params, a string or integer id; or a response with an id and exactly one of
 * result / error. Where JSON-RPC and MCP leave room (an empty method name, positional params,
 * a malformed error object in a response) both answers are accepted.
 */
export function envelopeOf(value: unknown): Envelope {
  if (!isRecord(value) || value.jsonrpc !== "2.0") return "invalid";
  if ("method" in value) {
    if (typeof value.method !== "string") return "invalid";
    if ("id" in value && !isValidId(value.id)) return "invalid";
    if (value.params !== undefined && !isRecord(value.params)) return Array.isArray(value.params) ? "either" : "invalid";
    return value.method === "" ? "either" : "valid";
  }
  if (!isValidId(value.id)) return "invalid";
  if (("result" in value) === ("error" in value)) return "invalid";
  if ("error" in value) {
    const error = value.error;
    const wellFormed = isRecord(error) && Number.isInteger(error.code) && typeof error.message === "string";
    return wellFormed ? "valid" : "either";
  }
  return "valid";
}

/** A 2026-07-28 message names its protocol version in `params._meta` (checklist §2 row 4). */
export function claimsModern(value: unknown): boolean {
  if (!isRecord(value) || !isRecord(value.params)) return false;
  const meta = value.params._meta;
  return isRecord(meta) && Object.hasOwn(meta, "io.modelcontextprotocol/protocolVersion");
}

/** The "modern" test of checklist §2: a version string at or after 2026-07-28, compared as text. */
export const isModernHeader = (version: string | undefined) => version !== undefined && version !== "" && version >= "2026-07-28";

export const LEGACY_VERSIONS = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];
export const isLegacyVersion = (version: string) => LEGACY_VERSIONS.includes(version);
