/**
 * The server serve.test.ts starts on real Bun: `bun --conditions=wisp-source serve.fixture.ts`.
 * PORT and IDLE_TIMEOUT (seconds) come from the environment; SIGTERM stops it through `stop()`.
 */
import { createServer } from "@wisp/core";
import * as v from "valibot";
import { serve } from "./index.js";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const server = createServer({ name: "bun-adapter-test", version: "1.0.0" })
  .tool("whoami", { description: "Returns what the host told the server about the caller" }, (_args, ctx) =>
    JSON.stringify({ remoteIp: ctx.transport.type === "http" ? ctx.transport.remoteIp : null, assigns: ctx.assigns }),
  )
  .tool("slow", { description: "Answers after a while (with a progress token: on an SSE stream)", input: v.object({ ms: v.number() }) }, async ({ ms }, ctx) => {
    ctx.progress(0, 1);
    await sleep(ms);
    return `done after ${ms} ms`;
  });

const running = await serve(server, {
  port: Number(process.env.PORT ?? 0),
  idleTimeout: process.env.IDLE_TIMEOUT ? Number(process.env.IDLE_TIMEOUT) : undefined,
  assigns: (request) => ({ userAgent: request.headers.get("user-agent") }),
});

process.once("SIGTERM", async () => {
  const started = Date.now();
  await running.stop();
  console.log(`stopped in ${Date.now() - started} ms`);
  process.exit(0);
});
// Printed last, so the signal handlers are in place once the URL is out.
console.log(`listening on ${running.url}`);
