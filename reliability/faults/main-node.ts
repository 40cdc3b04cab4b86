/** The fault server on Node: node --conditions=wisp-source --import tsx reliability/faults/main-node.ts */
import { serve } from "@wisp/node";
import { runUntilSignal } from "./lifecycle.js";
import { createFaultServer, faultEnv } from "./server.js";

const options = faultEnv();
const running = await serve(createFaultServer(options), { port: 0, hostname: "127.0.0.1", shutdownTimeout: options.shutdownTimeout });
runUntilSignal(`Node ${process.versions.node}`, running.url, options.shutdownTimeout, () => running.close());
