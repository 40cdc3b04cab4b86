/**
 * `{ ...a, ...b }` as a fresh object, for per-request code. Node 20's V8 takes a slow path for
 * an object literal that spreads and then adds keys (≈ 2 µs for a few headers, ≈ 7 µs for two
 * spreads: measured, more than the rest of some requests); Object.assign stays fast there, and
 * is as fast as a spread on newer V8.
 *
 * @example merged(responseHeaders, SSE_HEADERS)
 */
export function merged<A extends object, B extends object>(a: A | undefined, b: B): A & B {
  return Object.assign({}, a, b);
}

/** `{ ...a, [name]: value }` as a fresh object; see `merged`. */
export function withField<A extends object, K extends string, V>(a: A | undefined, name: K, value: V): A & Record<K, V> {
  const copy = Object.assign({}, a) as A & Record<K, V>;
  (copy as Record<string, unknown>)[name] = value;
  return copy;
}
