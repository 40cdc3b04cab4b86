/**
 * The few Bun APIs this adapter uses, declared here so the package type-checks without
 * `bun-types` (and without clashing with it: nothing is declared globally).
 */

export interface BunSocketAddress {
  address: string;
  port: number;
  family: "IPv4" | "IPv6";
}

/** The server `Bun.serve()` returns, as far as the adapter uses it. */
export interface BunServer {
  readonly port: number;
  readonly hostname: string;
  readonly url: URL;
  requestIP(request: Request): BunSocketAddress | null;
  /** Seconds of inactivity after which this request's connection is closed; 0 disables. */
  timeout(request: Request, seconds: number): void;
  stop(closeActiveConnections?: boolean): Promise<void>;
}

export interface BunServeOptions {
  port?: number;
  hostname?: string;
  /** Seconds (at most 255); 0 disables. Bun's default is 10. */
  idleTimeout?: number;
  fetch(request: Request, server: BunServer): Response | Promise<Response>;
  error?(error: Error): Response | Promise<Response>;
}

export interface BunGlobal {
  serve(options: BunServeOptions): BunServer;
}

/** `globalThis.Bun`, or a clear error when this code runs elsewhere. */
export function bun(): BunGlobal {
  const runtime = (globalThis as { Bun?: BunGlobal }).Bun;
  if (!runtime) throw new Error("@wisp/bun runs on Bun (globalThis.Bun is missing); on Node use @wisp/node");
  return runtime;
}
