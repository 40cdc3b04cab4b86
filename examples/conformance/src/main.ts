/** Starts the conformance fixture on Node: PORT=3001 npm run fixture */
import { serve } from "@wisp/node";
import { runFixture } from "./run-fixture.js";

await runFixture(`Node ${process.versions.node}`, (server, options) => serve(server, options));
