// Strict type checks a consumer's tsc runs against the published .d.ts (see tsconfig.*.json).
// entries*.ts (written by the test) import every entry point; this file checks inference.
import { createServer, type Server } from "@wisp/core";
import { serve } from "@wisp/node";
import * as v from "valibot";

export const server = createServer({ name: "types", version: "1.0.0" }).tool(
  "add",
  { description: "Adds two numbers", input: v.object({ a: v.number(), b: v.number() }) },
  ({ a, b }) => {
    const sum: number = a + b;
    return String(sum);
  },
);

createServer({ name: "types", version: "1.0.0" }).tool(
  "wrong",
  { description: "Inference catches this", input: v.object({ a: v.number() }) },
  ({ a }) => {
    // @ts-expect-error -- `a` is inferred as a number, not a string
    const text: string = a;
    return text;
  },
);

export const typed: Server<any> = server;
export const running: Promise<{ url: string; close(): Promise<void> }> = serve(server, { port: 0 });
