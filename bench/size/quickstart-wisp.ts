// The README's "Write a server", as an app would ship it.
import { createServer } from "@wisp/core";
import { serve } from "@wisp/node";
import * as v from "valibot";

const server = createServer({ name: "demo", version: "1.0.0" })
  .tool("add", { description: "Add two numbers", input: v.object({ a: v.number(), b: v.number() }) },
    ({ a, b }) => String(a + b));

const running = await serve(server, { port: 3000 });
console.log(running.url);
