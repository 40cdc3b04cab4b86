/**
 * The few Deno APIs this adapter uses, declared here so the package type-checks under `tsc`
 * as well as `deno check` (nothing is declared globally, so nothing clashes with Deno's types).
 */

export interface DenoNetAddr {
  transport: "tcp" | "udp";
  hostname: string;
  port: number;
}

/** The second argument of a `Deno.serve` handler. */
export interface DenoServeHandlerInfo {
  remoteAddr: DenoNetAddr | { transport: "unix" | "unixpacket"; path: string } | { transport: string };
  completed?: Promise<void>;
}

export interface DenoHttpServer {
  readonly addr: DenoNetAddr | { transport: string };
  readonly finished: Promise<void>;
  /** Stops accepting; open requests finish first. */
  shutdown(): Promise<void>;
  ref(): void;
  unref(): void;
}

export interface DenoServeOptions {
  port?: number;
  hostname?: string;
  onListen?: (localAddr: DenoNetAddr) => void;
  onError?: (error: unknown) => Response | Promise<Response>;
  handler: (request: Request, info: DenoServeHandlerInfo) => Response | Promise<Response>;
}

export interface DenoGlobal {
  serve(options: DenoServeOptions): DenoHttpServer;
}

/** `globalThis.Deno`, or a clear error when this code runs elsewhere. */
export function deno(): DenoGlobal {
  const runtime = (globalThis as { Deno?: DenoGlobal }).Deno;
  if (!runtime || typeof runtime.serve !== "function") throw new Error("@wisp/deno runs on Deno (Deno.serve is missing); on Node use @wisp/node");
  return runtime;
}
