/** The fault server on Bun: bun --conditions=wisp-source reliability/faults/main-bun.ts */
import { serve } from "@wisp/bun";
import { runUntilSignal } from "./lifecycle.js";
import { createFaultServer, faultEnv } from "./server.js";

const options = faultEnv();
const running = await serve(createFaultServer(options), { port: 0, hostname: "127.0.0.1", shutdownTimeout: options.shutdownTimeout });
runUntilSignal(`Bun ${process.versions.bun}`, running.url, options.shutdownTimeout, () => running.stop());
