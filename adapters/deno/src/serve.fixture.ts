/**
 * The server serve.test.ts starts on real Deno: `deno run --allow-net --allow-env --allow-read serve.fixture.ts`.
 * PORT comes from the environment; SIGTERM aborts the `signal` given to serve(), which shuts it down.
 */
import { createServer } from "@wisp/core";
import * as v from "valibot";
import { serve } from "./index.js";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const server = createServer({ name: "deno-adapter-test", version: "1.0.0" })
  .tool("whoami", { description: "Returns what the host told the server about the caller" }, (_args, ctx) =>
    JSON.stringify({ remoteIp: ctx.transport.type === "http" ? ctx.transport.remoteIp : null, assigns: ctx.assigns }),
  )
  .tool("slow", { description: "Answers after a while", input: v.object({ ms: v.number() }) }, async ({ ms }) => {
    await sleep(ms);
    return `done after ${ms} ms`;
  });

const controller = new AbortController();
const running = await serve(server, {
  port: Number(process.env.PORT ?? 0),
  signal: controller.signal,
  assigns: (request) => ({ userAgent: request.headers.get("user-agent") }),
});

process.once("SIGTERM", async () => {
  const started = Date.now();
  controller.abort();
  await running.finished;
  console.log(`stopped in ${Date.now() - started} ms`);
  process.exit(0);
});
// Printed last, so the signal handler is in place once the URL is out.
console.log(`listening on ${running.url}`);
