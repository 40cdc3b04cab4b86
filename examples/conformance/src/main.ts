/** Starts the conformance fixture: PORT=3001 npm run start -w @wisp/example-conformance */
import { serve } from "@wisp/node";
import { createConformanceServer } from "./fixture.js";

const server = createConformanceServer();
const running = await serve(server, { port: Number(process.env.PORT ?? 3001), hostname: "127.0.0.1", path: "/mcp" });
console.log(`Wisp conformance fixture listening on ${running.url}`);

let stopping = false;
const stop = async (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal} received, shutting down`);
  try {
    await running.close();
    process.exit(0);
  } catch (error) {
    console.error("Shutdown failed:", error);
    process.exit(1);
  }
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
