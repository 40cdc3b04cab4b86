// Wisp: the same echo tool + static resource, written the way the README shows (valibot schema).
import { type ServerOptions, createServer } from "@wisp/core";
import * as v from "valibot";
import { ECHO, EXTRA_TOOLS, RESOURCE, SERVER_INFO } from "./common.mjs";

/** `options`: e.g. `{ storage }` for the Redis rows (servers/wisp-node-redis.ts); memory storage by default. */
export function makeServer(options: Pick<ServerOptions, "storage" | "requestStateSecret"> = {}) {
  const input = v.object({ text: v.string() });
  const server = createServer({ ...SERVER_INFO, ...options })
    .tool(ECHO.name, { description: ECHO.description, input }, ({ text }, ctx) => {
      ctx.progress(1, 1); // a no-op unless the request carries _meta.progressToken
      return text;
    })
    .resource(RESOURCE.uri, { name: RESOURCE.name, mimeType: RESOURCE.mimeType }, () => RESOURCE.text);
  for (const name of EXTRA_TOOLS) server.tool(name, { description: `Tool ${name}`, input }, ({ text }) => text);
  return server;
}
