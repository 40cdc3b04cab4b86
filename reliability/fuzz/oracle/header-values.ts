/**
 * The 2026-07-28 rules for values mirrored into Mcp-Method, Mcp-Name and Mcp-Param-* headers, as
 * the protocol checklist (§5) states them, written independently of the server's implementation:
 * surrounding SP/HTAB is ignored; `=?base64?…?=` (markers case-sensitive) wraps strict standard
 * base64 of UTF-8; anything else is literal; control characters make a value invalid.
 */

const WRAP_START = "=?base64?";
const WRAP_END = "?=";
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export type Decoded = { ok: true; value: string } | { ok: false };

export function decodeMirrored(raw: string): Decoded {
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(raw) || /[^\x00-\xff]/.test(raw)) return { ok: false };
  const value = raw.replace(/^[ \t]+|[ \t]+$/g, "");
  if (!(value.length >= WRAP_START.length + WRAP_END.length && value.startsWith(WRAP_START) && value.endsWith(WRAP_END))) return { ok: true, value };
  const payload = value.slice(WRAP_START.length, -WRAP_END.length);
  if (!STRICT_BASE64.test(payload)) return { ok: false };
  const bytes = Buffer.from(payload, "base64");
  // Canonical only: re-encoding must give the same text (no stray bits before the padding).
  if (bytes.toString("base64") !== payload) return { ok: false };
  try {
    return { ok: true, value: new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes) };
  } catch {
    return { ok: false };
  }
}

/** A header value may carry a number: decimal digits only (no hex, no Infinity). */
const DECIMAL = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Whether a decoded Mcp-Param value stands for this body value (numbers compare numerically). */
export function mirrorsValue(header: string, body: unknown): boolean {
  switch (typeof body) {
    case "string":
      return header === body;
    case "number":
      return DECIMAL.test(header) && Number(header) === body;
    case "boolean":
      return header === String(body);
    default:
      return true; // objects and arrays cannot be mirrored; schema validation speaks for them
  }
}
