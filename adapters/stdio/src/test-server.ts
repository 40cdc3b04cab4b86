/**
 * A server the stdio test runs as a child process (it speaks MCP on stdin/stdout).
 * WISP_STATELESS_ONLY=1 builds it with @wisp/core/stateless.
 */
import { createServer as createDualServer } from "@wisp/core";
import { createServer as createStatelessServer } from "@wisp/core/stateless";
import * as v from "valibot";
import { serveStdio } from "./index.js";

const createServer = process.env.WISP_STATELESS_ONLY === "1" ? createStatelessServer : createDualServer;
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
