// TypeScript run by Bun: createServer + @wisp/bun's serve on an ephemeral port, one tools/call, stop.
import { createServer } from "@wisp/core";
import { serve } from "@wisp/bun";
import * as v from "valibot";
import { callAdd } from "./call.mjs";

const server = createServer({ name: "packaging", version: "1.0.0" }).tool(
  "add",
  { description: "Adds two numbers", input: v.object({ a: v.number(), b: v.number() }) },
  ({ a, b }) => String(a + b),
);
const running = await serve(server, { port: 0, hostname: "127.0.0.1" });
try {
  console.log(JSON.stringify({ url: running.url, runtime: typeof Bun === "undefined" ? "not bun" : "bun", ...(await callAdd(running.url)) }));
} finally {
  await running.stop();
}
