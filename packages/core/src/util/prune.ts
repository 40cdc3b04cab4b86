/** Drops undefined fields in place, so results and list entries carry only what was set. */
export function prune<T extends Record<string, unknown>>(value: T): T {
  for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key];
  return value;
}
