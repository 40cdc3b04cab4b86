/**
 * A small MCP server: a tool that reads the caller's address (filled in by the runtime
 * adapter), one that asks the user a question (elicitation, in both protocol eras), and a
 * resource. `export default server` is all Bun needs to serve it: `bun src/server.ts`.
 */
import { createServer } from "@wisp/core";
import * as v from "valibot";

export const server = createServer({ name: "wisp-bun-example", version: "0.1.0" })
  .tool("whoami", { description: "Tells where the request came from", annotations: { readOnlyHint: true } }, (_args, ctx) => {
    const transport = ctx.transport;
    if (transport.type !== "http") return "Not over HTTP.";
    return `You are ${transport.remoteIp ?? "somewhere unknown"}, calling ${transport.host}:${transport.port}${transport.path}.`;
  })
  .tool(
    "roll_dice",
    {
      description: "Rolls dice, after asking how many if the count is not given",
      input: v.object({ sides: v.optional(v.pipe(v.number(), v.integer(), v.minValue(2)), 6), count: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))) }),
    },
    async ({ sides, count }, ctx) => {
      if (count === undefined) {
        const answer = await ctx.elicit({ key: "count", message: `How many d${sides} should I roll?`, schema: v.object({ count: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100)) }) });
        if (answer.action !== "accept") return `No dice (${answer.action}).`;
        count = answer.content.count;
      }
      const rolls = Array.from({ length: count }, () => 1 + Math.floor(Math.random() * sides));
      return `${rolls.join(" + ")} = ${rolls.reduce((a, b) => a + b, 0)}`;
    },
  )
  .resource("runtime://info", { name: "runtime", description: "The runtime serving this server", mimeType: "application/json" }, () =>
    JSON.stringify({ runtime: navigator.userAgent }),
  );

export default server;
