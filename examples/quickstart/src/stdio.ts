/**
 * The notes server over stdio, for clients that start it as a subprocess (Claude Desktop, IDEs,
 * the Inspector's stdio mode): `npm run -s start:stdio -w @wisp/example-quickstart`. It exits when
 * the client closes its stdin.
 */
import { serveStdio } from "@wisp/stdio";
import { createNotesServer } from "./notes.js";

// Nothing else may write to stdout: every line there is a protocol message.
serveStdio(createNotesServer());
