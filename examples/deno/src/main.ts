/**
 * Serves the example with @wisp/deno: `deno task start` (PORT and HOST pick the address).
 * Compared with `deno serve src/server.ts`, serve() binds 127.0.0.1 by default, fills in
 * ctx.transport.remoteIp and stops gracefully (SSE streams first).
 */
import { serve } from "@wisp/deno";
import { server } from "./server.js";

// Deno's own types have these; the declaration only serves this repository's Node type-check.
declare const Deno: {
  env: { get(name: string): string | undefined };
  addSignalListener(signal: "SIGINT" | "SIGTERM", handler: () => void): void;
  exit(code?: number): never;
  version: { deno: string };
};

const running = await serve(server, { port: Number(Deno.env.get("PORT") ?? 3000), hostname: Deno.env.get("HOST") ?? "127.0.0.1" });

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => void running.shutdown().then(() => Deno.exit(0)));
}
// Printed last, so the signal handlers are in place once the URL is out.
console.log(`Wisp on Deno ${Deno.version.deno}: MCP endpoint at ${running.url}`);
