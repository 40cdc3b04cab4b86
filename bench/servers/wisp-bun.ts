// Wisp on Bun: @wisp/bun serve() (Bun.serve + server.handle).
import { serve } from "@wisp/bun";
import { HOST, PORT, ready } from "./common.mjs";
import { makeServer } from "./wisp.js";

await serve(makeServer(), { port: PORT, hostname: HOST });
ready("wisp-bun");
