/**
 * Serves the example with @wisp/bun: `bun src/main.ts` (PORT and HOST pick the address).
 * Compared with `export default server`, serve() binds 127.0.0.1 by default, fills in
 * ctx.transport.remoteIp, keeps quiet SSE streams open and stops gracefully.
 */
import { serve } from "@wisp/bun";
import { server } from "./server.js";

const running = await serve(server, { port: Number(process.env.PORT ?? 3000), hostname: process.env.HOST ?? "127.0.0.1" });

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void running.stop().then(() => process.exit(0)));
}
// Printed last, so the signal handlers are in place once the URL is out.
console.log(`Wisp on Bun ${process.versions.bun}: MCP endpoint at ${running.url}`);
