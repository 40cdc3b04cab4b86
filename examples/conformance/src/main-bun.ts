/** Starts the conformance fixture on Bun: PORT=3001 npm run fixture:bun */
import { serve } from "@wisp/bun";
import { runFixture } from "./run-fixture.js";

await runFixture(`Bun ${process.versions.bun}`, async (server, options) => {
  const running = await serve(server, options);
  return { url: running.url, close: () => running.stop() };
});
