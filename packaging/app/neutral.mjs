// The minimal server a Workers / Deno / browser-like bundle contains (esbuild --platform=neutral).
import { createServer } from "@wisp/core";
import * as v from "valibot";

export default createServer({ name: "packaging", version: "1.0.0" }).tool(
  "add",
  { description: "Adds two numbers", input: v.object({ a: v.number(), b: v.number() }) },
  ({ a, b }) => String(a + b),
);
