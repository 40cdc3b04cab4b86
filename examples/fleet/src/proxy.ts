import { type IncomingMessage, type Server, type ServerResponse, createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";

export interface Upstream {
  /** Shown in the log, e.g. "a". */
  name: string;
  /** Base URL, e.g. `http://127.0.0.1:4001`: a request's path and query are kept. */
  url: string;
}

export interface RoundRobinProxy {
  /** `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

/**
 * A stand-in for a load balancer with no sticky sessions: request n goes to upstream n mod N,
 * whatever session it belongs to. SSE responses stream through as they come; a client that goes
 * away aborts its upstream request. `log` hears one line per request; `onRoute` which upstream
 * (by index) each request went to.
 * @example
 * const proxy = await startRoundRobinProxy([{ name: "a", url: "http://127.0.0.1:4001" }], { port: 3000 });
 */
export async function startRoundRobinProxy(
  upstreams: Upstream[],
  options: { port?: number; log?: (line: string) => void; onRoute?: (route: { method: string; upstream: number }) => void } = {},
): Promise<RoundRobinProxy> {
  const targets = upstreams.map((upstream) => ({ ...upstream, target: new URL(upstream.url) }));
  let next = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const index = next++ % targets.length;
    const { name, target } = targets[index];
    const session = req.headers["mcp-session-id"];
    options.onRoute?.({ method: req.method ?? "", upstream: index });
    options.log?.(`${req.method} ${req.url} → instance ${name}${typeof session === "string" ? ` (session ${session.slice(0, 8)}…)` : ""}`);
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`instance ${name} is unreachable`);
    });
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  });
  server.requestTimeout = 0; // SSE streams stay open as long as the client wants
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
