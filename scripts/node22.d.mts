export const NODE22_VERSION: string;
/** Absolute path to a Node >= 22 binary: this one if it is, else one fetched from npm into .tools/node22. */
export function ensureNode22(): Promise<string>;
