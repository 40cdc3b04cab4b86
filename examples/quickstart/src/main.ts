import { serve } from "@wisp/node";
import { createNotesServer } from "./notes.js";
import { stopWhenAsked } from "./stop.js";

const server = createNotesServer();
const running = await serve(server, { port: Number(process.env.PORT ?? 3000), hostname: "127.0.0.1" });
// Before the URL is printed: whoever waits for that line may signal at once.
stopWhenAsked(() => running.close(), { log: (line) => console.error(`Wisp notes server: ${line}`) });
console.log(`Wisp notes server: MCP endpoint at ${running.url}`);
