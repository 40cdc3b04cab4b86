/**
 * Decoding of the header values MCP 2026-07-28 clients mirror from the JSON-RPC body: plain
 * values, or `=?base64?…?=` for values a header cannot carry as they are.
 */

const SENTINEL_PREFIX = "=?base64?";
const SENTINEL_SUFFIX = "?=";

/** Standard alphabet, groups of four, `=` padding only at the very end. */
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** The fatal decoder throws on malformed UTF-8; `ignoreBOM` keeps a leading U+FEFF in the value instead of dropping it. */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

const isOws = (code: number) => code === 0x20 || code === 0x09;

/** Trims optional whitespace (SP / HTAB only, as RFC 9110 defines OWS), nothing else. */
function trimOws(raw: string): string {
  let start = 0;
  let end = raw.length;
  while (start < end && isOws(raw.charCodeAt(start))) start++;
  while (end > start && isOws(raw.charCodeAt(end - 1))) end--;
  return raw.slice(start, end);
}

/**
 * RFC 9110 field-value characters: HTAB, SP, VCHAR and obs-text (0x80–0xFF).
 * Everything else (other controls, DEL, anything past 0xFF, which no real header carries) is invalid.
 */
function invalidCharacter(value: string): number | undefined {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x09) continue;
    if (code < 0x20 || code === 0x7f || code > 0xff) return code;
  }
  return undefined;
}

/** True when the payload's last symbol before padding leaves no non-zero spare bits (RFC 4648 §3.5, canonical encoding). */
function canonicalTail(payload: string): boolean {
  const padding = payload.endsWith("==") ? 2 : payload.endsWith("=") ? 1 : 0;
  if (padding === 0) return true;
  const last = BASE64_ALPHABET.indexOf(payload[payload.length - padding - 1]);
  // Two pad characters: the last symbol contributes 2 data bits (4 spare); one pad: 4 data bits (2 spare).
  const spareMask = padding === 2 ? 0b1111 : 0b11;
  return (last & spareMask) === 0;
}

/**
 * Decodes one header value per MCP rules: trim surrounding optional whitespace (SP/HTAB); a value
 * of the exact form `=?base64?<b64>?=` (markers case-sensitive) is base64-decoded as UTF-8 — strictly:
 * only the standard alphabet, correct `=` padding, length multiple of 4, canonical trailing bits, fatal
 * UTF-8 decoding. A value without the full wrapper is literal. Values with characters a header value
 * cannot hold (controls other than HTAB, DEL) are rejected.
 */
export function decodeHeaderValue(raw: string): { ok: true; value: string } | { ok: false; reason: string } {
  const bad = invalidCharacter(raw);
  if (bad !== undefined) {
    return { ok: false, reason: `contains a character not allowed in a header value (U+${bad.toString(16).toUpperCase().padStart(4, "0")})` };
  }
  const value = trimOws(raw);
  const wrapped =
    value.length >= SENTINEL_PREFIX.length + SENTINEL_SUFFIX.length && value.startsWith(SENTINEL_PREFIX) && value.endsWith(SENTINEL_SUFFIX);
  if (!wrapped) return { ok: true, value };

  const payload = value.slice(SENTINEL_PREFIX.length, value.length - SENTINEL_SUFFIX.length);
  if (payload.length % 4 !== 0) return { ok: false, reason: "base64 payload length is not a multiple of 4 (bad padding)" };
  if (!STRICT_BASE64.test(payload)) return { ok: false, reason: "base64 payload has characters outside the standard alphabet or misplaced padding" };
  if (!canonicalTail(payload)) return { ok: false, reason: "base64 payload is not canonically encoded (non-zero padding bits)" };

  // atob is lenient (whitespace, missing padding), which is why the payload was validated above.
  const binary = atob(payload);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  try {
    return { ok: true, value: utf8.decode(bytes) };
  } catch {
    return { ok: false, reason: "base64 payload is not valid UTF-8" };
  }
}

// ---------------------------------------------------------------------------
// Mcp-Method / Mcp-Name
// ---------------------------------------------------------------------------
