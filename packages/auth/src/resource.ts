export const WELL_KNOWN = "/.well-known/oauth-protected-resource";

/**
 * The canonical form of a resource URI (RFC 8707, MCP authorization §"Canonical Server URI"):
 * absolute http(s), no fragment, no query, lowercase scheme and host, no trailing slash.
 * @example canonicalResource("HTTPS://MCP.Example.com/mcp/") // "https://mcp.example.com/mcp"
 */
export function canonicalResource(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new TypeError(`resource must be an absolute URI, got ${JSON.stringify(input)}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new TypeError(`resource must be an http(s) URI, got ${url.protocol}`);
  if (input.includes("#")) throw new TypeError("resource must not contain a fragment");
  if (url.search) throw new TypeError("resource must not contain a query");
  if (url.username || url.password) throw new TypeError("resource must not contain credentials");
  // URL already lowercases scheme and host and drops default ports.
  const path = url.pathname.replace(/\/+$/, "");
  return `${url.protocol}//${url.host}${path}`;
}

/** The path of the resource URI ("" for the origin itself). */
export const resourcePath = (resource: string): string => new URL(resource).pathname.replace(/\/+$/, "");

/** RFC 9728 §3.1: the well-known segment goes between the host and the resource's path. */
export function metadataUrl(resource: string): string {
  const url = new URL(resource);
  return `${url.protocol}//${url.host}${WELL_KNOWN}${resourcePath(resource)}`;
}

/** The paths the metadata is served at: the path-suffixed form, and the bare one. */
export function metadataPaths(resource: string): string[] {
  const path = resourcePath(resource);
  return path ? [WELL_KNOWN + path, WELL_KNOWN] : [WELL_KNOWN];
}
