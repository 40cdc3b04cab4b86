/** Starts the conformance fixture on Deno: PORT=3001 npm run fixture:deno */
import { serve } from "@wisp/deno";
import { runFixture } from "./run-fixture.js";

await runFixture(`Deno ${process.versions.deno}`, async (server, options) => {
  const running = await serve(server, options);
  return { url: running.url, close: () => running.shutdown() };
});
