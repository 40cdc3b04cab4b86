import { createConformanceServer } from "./fixture.js";

/**
 * Starts the conformance fixture with a runtime's serve(): PORT (default 3001) on 127.0.0.1 at
 * /mcp, stops cleanly on SIGINT/SIGTERM, and prints the URL last, once the handlers are in place
 * (the tests wait for that line).
 */
export async function runFixture(
  runtime: string,
  start: (server: ReturnType<typeof createConformanceServer>, options: { port: number; hostname: string; path: string }) => Promise<{ url: string; close: () => Promise<void> }>,
): Promise<void> {
  const running = await start(createConformanceServer(), { port: Number(process.env.PORT ?? 3001), hostname: "127.0.0.1", path: "/mcp" });
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
  console.log(`Wisp conformance fixture (${runtime}) listening on ${running.url}`);
}
