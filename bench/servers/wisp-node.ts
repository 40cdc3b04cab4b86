// Wisp on Node: @wisp/node serve() (the exchange fast path, no web Request/Response).
import { serve } from "@wisp/node";
import { HOST, PORT, ready } from "./common.mjs";
import { makeServer } from "./wisp.js";

await serve(makeServer(), { port: PORT, hostname: HOST });
ready("wisp-node");
