/** Starts the conformance fixture on Deno: PORT=3001 npm run fixture:deno */
import { serve } from "@wisp/deno";
import { createConformanceServer } from "./fixture.js";

const server = createConformanceServer();
const running = await serve(server, { port: Number(process.env.PORT ?? 3001), hostname: "127.0.0.1", path: "/mcp" });

let stopping = false;
const stop = async (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal} received, shutting down`);
  try {
    await running.shutdown();
    process.exit(0);
  } catch (error) {
    console.error("Shutdown failed:", error);
    process.exit(1);
  }
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
// Printed last, so the signal handlers are in place once the URL is out.
console.log(`Wisp conformance fixture (Deno ${process.versions.deno}) listening on ${running.url}`);
