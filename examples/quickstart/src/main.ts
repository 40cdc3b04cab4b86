import { serve } from "@wisp/node";
import { createNotesServer } from "./notes.js";

const server = createNotesServer();
const running = await serve(server, { port: Number(process.env.PORT ?? 3000), hostname: "127.0.0.1" });
console.log(`Wisp notes server: MCP endpoint at ${running.url}`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void running.close().then(() => process.exit(0)));
}
