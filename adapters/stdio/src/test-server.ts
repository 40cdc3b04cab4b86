/** A server the stdio test runs as a child process (it speaks MCP on stdin/stdout). */
import { createServer } from "@wisp/core";
import * as v from "valibot";
import { serveStdio } from "./index.js";

const server = createServer({ name: "stdio-test", version: "1.0.0" })
  .tool("whoami", { description: "Reports the transport it was called over" }, (_args, ctx) => JSON.stringify(ctx.transport))
  .tool("confirm", { description: "Asks the user to confirm" }, async (_args, ctx) => {
    const answer = await ctx.elicit({ message: "Sure?", schema: v.object({ ok: v.boolean() }), key: "sure" });
    return answer.action === "accept" && answer.content.ok ? "confirmed" : "not confirmed";
  })
  .tool("count", { description: "Reports progress", input: v.object({ to: v.number() }) }, async ({ to }, ctx) => {
    for (let i = 1; i <= to; i++) {
      // Real work between updates. (The v1 SDK client drops progress that arrives in the same
      // read batch as the response, so a burst of updates right before returning may not show.)
      await new Promise((resolve) => setTimeout(resolve, 10));
      ctx.progress(i, to);
    }
    return `counted to ${to}`;
  });

serveStdio(server);
