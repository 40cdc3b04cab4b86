// ESM on Node: createServer + @wisp/node's serve on an ephemeral port, one tools/call, close.
import { createServer } from "@wisp/core";
import { serve } from "@wisp/node";
import * as v from "valibot";
import { callAdd } from "./call.mjs";

const server = createServer({ name: "packaging", version: "1.0.0" }).tool(
  "add",
  { description: "Adds two numbers", input: v.object({ a: v.number(), b: v.number() }) },
  ({ a, b }) => String(a + b),
);
const running = await serve(server, { port: 0, hostname: "127.0.0.1" });
try {
  console.log(JSON.stringify({ url: running.url, ...(await callAdd(running.url)) }));
} finally {
  await running.close();
}
