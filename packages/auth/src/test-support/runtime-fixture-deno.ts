/**
 * runtimes.test.ts on Deno: `deno run --cached-only --allow-net --allow-env --allow-read
 * runtime-fixture-deno.ts` from the repository root (its deno.json maps `@wisp/core` and
 * `@wisp/deno`; `jose` resolves from node_modules). PORT, RESOURCE, ISSUER and JWKS_URI come from
 * the environment. Prints `listening on <url>`; SIGTERM stops it.
 */
import { serve } from "@wisp/deno";
import { buildProtectedServer, fixtureConfig } from "./runtime-fixture.js";

const server = buildProtectedServer(fixtureConfig(process.env), `Deno ${(globalThis as unknown as { Deno: { version: { deno: string } } }).Deno.version.deno}`);
const controller = new AbortController();
const running = await serve(server, { hostname: "127.0.0.1", port: Number(process.env.PORT ?? 0), signal: controller.signal });

process.once("SIGTERM", async () => {
  controller.abort();
  await running.finished;
  process.exit(0);
});
console.log(`listening on ${running.url}`);
