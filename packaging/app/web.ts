// The same inference check with web-standard types only (lib DOM, no @types/node).
import { createServer } from "@wisp/core";
import { mcp } from "@wisp/hono";
import * as v from "valibot";

export const server = createServer({ name: "web", version: "1.0.0" }).tool(
  "add",
  { description: "Adds two numbers", input: v.object({ a: v.number(), b: v.number() }) },
  ({ a, b }) => String(a + b),
);
export const handle: (request: Request) => Promise<Response> = (request) => server.handle(request);
export const middleware = mcp(server);
