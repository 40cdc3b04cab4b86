/**
 * Builds an RFC 9728 `WWW-Authenticate` value from a map: `method` is the scheme,
 * every other entry a parameter. Parameters are sorted by name, snake_cased, and quoted.
 * @example
 * wwwAuthenticate({ method: "Bearer", resourceMetadata: "https://app.example/.well-known/oauth-protected-resource", maxAge: 42000 })
 * // → 'Bearer max_age="42000", resource_metadata="https://app.example/.well-known/oauth-protected-resource"'
 */
export function wwwAuthenticate(params: { method: string; [key: string]: string | number | boolean | undefined }): string {
  const { method, ...rest } = params;
  if (!method || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(method)) throw new TypeError("wwwAuthenticate: `method` must be an auth scheme such as \"Bearer\"");
  const pairs = Object.entries(rest)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => [snakeCase(key), String(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}="${value.replace(/["\\]/g, "\\$&")}"`);
  return pairs.length ? `${method} ${pairs.join(", ")}` : method;
}

const snakeCase = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
