/** Where a request came from. HTTP and stdio carry different facts. */
export interface HttpTransport {
  type: "http";
  /** Header names are lower-cased. */
  headers: Record<string, string>;
  /** Parsed query string, or null when the request had none to parse. */
  query: Record<string, string> | null;
  remoteIp: string | undefined;
  scheme: "http" | "https";
  host: string;
  port: number;
  path: string;
}

export interface StdioTransport {
  type: "stdio";
  env: Record<string, string | undefined>;
  pid: number | undefined;
}

export type Transport = HttpTransport | StdioTransport;

/** Builds the HTTP transport facts from a URL and a header lookup, once, on first use. */
export function httpTransport(url: string, headers: Iterable<[string, string]>, remoteIp: string | undefined): HttpTransport {
  const parsed = new URL(url);
  const headerMap: Record<string, string> = {};
  for (const [name, value] of headers) headerMap[name.toLowerCase()] = value;
  let query: Record<string, string> | null = null;
  if (parsed.search.length > 1) {
    query = {};
    for (const [key, value] of parsed.searchParams) query[key] = value;
  }
  const scheme = parsed.protocol === "https:" ? "https" : "http";
  return {
    type: "http",
    headers: headerMap,
    query,
    remoteIp,
    scheme,
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : scheme === "https" ? 443 : 80,
    path: parsed.pathname,
  };
}
