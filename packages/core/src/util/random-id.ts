// Ids used to come from nanoid, whose default entry imports `node:crypto` (its Web Crypto build
// sits behind the "browser" condition, which a neutral or Workers bundle does not set). They are
// drawn here from Web Crypto, present on every runtime Wisp runs on, the way nanoid does it.
// Bytes come from a pool refilled a few KB at a time: one getRandomValues call per id would
// cost more than the id itself on Node.
const POOL_BYTES = 4096;
const URL_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
let pool = new Uint8Array(0);
let offset = 0;

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
  let id = "";
  for (let end = offset + size; offset < end; offset++) id += URL_SAFE[pool[offset] & 63];
  return id;
}
