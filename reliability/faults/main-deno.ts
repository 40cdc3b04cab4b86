/** The fault server on Deno: deno run --cached-only --allow-net --allow-env --allow-read reliability/faults/main-deno.ts */
import { serve } from "@wisp/deno";
import { runUntilSignal } from "./lifecycle.js";
import { createFaultServer, faultEnv } from "./server.js";

const options = faultEnv();
const running = await serve(createFaultServer(options), { port: 0, hostname: "127.0.0.1", shutdownTimeout: options.shutdownTimeout });
runUntilSignal(`Deno ${process.versions.deno}`, running.url, options.shutdownTimeout, () => running.shutdown());
