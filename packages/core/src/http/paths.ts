/** Where RFC 9728 puts a protected resource's metadata (answered by an auth hook such as @wisp/auth's). */
export const PROTECTED_RESOURCE_METADATA = "/.well-known/oauth-protected-resource";

/** Whether `pathname` names protected-resource metadata: the bare form or a path-suffixed one. */
export const isMetadataPath = (pathname: string): boolean =>
  pathname === PROTECTED_RESOURCE_METADATA || pathname.startsWith(`${PROTECTED_RESOURCE_METADATA}/`);

/**
 * Whether an adapter that mounts the MCP endpoint at `endpointPath` hands `pathname` to the
 * server: the endpoint itself, and its protected-resource metadata (RFC 9728: the bare form and
 * the one suffixed with the endpoint's path), so OAuth clients can discover it.
 * @example
 * if (!isServedPath(new URL(request.url).pathname, "/mcp")) return new Response("Not Found", { status: 404 });
 */
export function isServedPath(pathname: string, endpointPath: string): boolean {
  return pathname === endpointPath || pathname === PROTECTED_RESOURCE_METADATA || pathname === `${PROTECTED_RESOURCE_METADATA}${endpointPath}`;
}

/** The path of an absolute URL, cheaply (no URL parsing on the hot path). */
export function pathnameOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start === -1) return "/";
  const end = url.search(/[?#]/);
  return url.slice(start, end === -1 ? undefined : end);
}
