/** Pct-encoding as expansion writes it and matching reads it (RFC 6570 §3.2.1). */

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

const HEX_DIGITS = "0123456789ABCDEF";
const utf8 = new TextEncoder();

export const isHex = (ch: string | undefined): boolean => ch !== undefined && /^[0-9A-Fa-f]$/.test(ch);
/** RFC 3986 unreserved: always safe to emit as-is. */
const isUnreserved = (ch: string): boolean => /^[A-Za-z0-9\-._~]$/.test(ch);
/** RFC 3986 reserved (gen-delims and sub-delims): emitted as-is only by `+` and `#`. */
const isReserved = (ch: string): boolean => /^[:/?#[\]@!$&'()*+,;=]$/.test(ch);

/**
 * Pct-encodes everything outside the allowed set as UTF-8 octets (RFC 6570 §3.2.1).
 * With `allowReserved`, existing pct-triplets are kept so already-encoded input isn't double-encoded.
 */
export function encode(value: string, allowReserved: boolean): string {
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
export function decode(value: string): string | null {
  if (!value.includes("%")) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}

/** `{var:N}` counts characters (code points), not UTF-16 units or octets (RFC 6570 §2.4.1). */
export function truncate(value: string, maxLength: number | undefined): string {
  if (maxLength === undefined || value.length <= maxLength) return value;
  let out = "";
  let count = 0;
  for (const ch of value) {
    if (count++ === maxLength) break;
    out += ch;
  }
  return out;
}
