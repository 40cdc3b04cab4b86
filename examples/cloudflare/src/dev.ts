/**
 * Runs the example on workerd locally, without wrangler: `npm start -w @wisp/example-cloudflare`
 * (PORT=8787 by default; ISOLATES=2 puts two Worker isolates behind a round-robin router).
 */
import { fileURLToPath } from "node:url";
import { startWorkerd } from "@wisp/cloudflare/workerd";

const running = await startWorkerd({
  entry: fileURLToPath(new URL("./worker.ts", import.meta.url)),
  port: Number(process.env.PORT ?? 8787),
  isolates: Number(process.env.ISOLATES ?? 1),
  vars: {
    WISP_REQUEST_STATE_SECRET: process.env.WISP_REQUEST_STATE_SECRET ?? "local-development-secret-not-for-production",
    GREETING: "Hello from workerd on this machine",
  },
  verbose: true,
});
console.log(`Wisp on workerd listening on ${running.url}`);
