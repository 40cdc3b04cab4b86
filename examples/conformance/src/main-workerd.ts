/**
 * Starts the conformance fixture on workerd (through Miniflare), the way `npm run fixture`
 * starts it on Node: `PORT=3001 npm run fixture:workerd` → http://127.0.0.1:3001/mcp.
 *
 * The endpoint is a round-robin router in front of two isolates of the fixture Worker
 * (fixture-worker.ts) sharing one Durable Object namespace, so consecutive requests land
 * on different isolates as they may on Cloudflare. `WISP_ISOLATES=1` serves one isolate.
 */
import { fileURLToPath } from "node:url";
import { startWorkerd } from "@wisp/cloudflare/workerd";

// Miniflare ends workerd itself on SIGINT/SIGTERM (and exits 130/143); these handlers,
// registered first, only say so and close cleanly when that hook is not there.
let running: Awaited<ReturnType<typeof startWorkerd>> | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.prependListener(signal, () => {
    console.log(`${signal} received, shutting down`);
    void running?.close().then(() => process.exit(0));
  });
}

running = await startWorkerd({
  entry: fileURLToPath(new URL("./fixture-worker.ts", import.meta.url)),
  port: Number(process.env.PORT ?? 3001),
  host: "127.0.0.1",
  path: "/mcp",
  isolates: Number(process.env.WISP_ISOLATES ?? 2),
  testHooks: process.env.WISP_TEST_HOOKS === "1",
  // Every isolate must sign and open 2026 requestState with the same key.
  vars: {
    WISP_REQUEST_STATE_SECRET: process.env.WISP_REQUEST_STATE_SECRET ?? "wisp-conformance-fixture-request-state-secret",
    // "1" builds the fixture with @wisp/core/stateless (2026-07-28 only).
    WISP_STATELESS_ONLY: process.env.WISP_STATELESS_ONLY ?? "",
  },
});
console.log(`Wisp conformance fixture (workerd) listening on ${running.url}`);

