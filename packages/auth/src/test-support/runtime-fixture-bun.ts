/**
 * runtimes.test.ts on Bun: `bun --conditions=wisp-source runtime-fixture-bun.ts`, with PORT,
 * RESOURCE, ISSUER and JWKS_URI from the environment. Prints `listening on <url>`; SIGTERM stops it.
 */
import { serve } from "@wisp/bun";
import { buildProtectedServer, fixtureConfig } from "./runtime-fixture.js";

const server = buildProtectedServer(fixtureConfig(process.env), `Bun ${process.versions.bun}`);
const running = await serve(server, { hostname: "127.0.0.1", port: Number(process.env.PORT ?? 0) });

process.once("SIGTERM", async () => {
  await running.stop();
  process.exit(0);
});
console.log(`listening on ${running.url}`);
