/**
 * A Wisp MCP server on Cloudflare Workers. One file is the whole deployment:
 * the Worker entry (default export) and the Durable Object class it routes sessions to.
 */
import { type BuildServer, type ExecutionContextLike, createSessionObject, createWorker } from "@wisp/cloudflare";
import { type Server, createServer } from "@wisp/core";
import * as v from "valibot";

export interface Env {
  /** Signs 2026 requestState; every isolate must have the same one (a secret). */
  WISP_REQUEST_STATE_SECRET: string;
  GREETING?: string;
}

/** Runs once per Worker isolate and once per Durable Object: register, nothing else. */
const build: BuildServer<Env> = (env, { storage }) => {
  const server: Server = createServer({
    name: "wisp-on-workers",
    version: "1.0.0",
    storage, // required: sessions and events live in the Durable Object's storage
    requestStateSecret: env.WISP_REQUEST_STATE_SECRET,
  })
    .tool(
      "roll_dice",
      { description: "Rolls a die", input: v.object({ sides: v.optional(v.pipe(v.number(), v.integer(), v.minValue(2)), 6) }) },
      ({ sides }) => `You rolled a ${1 + Math.floor(Math.random() * sides)} (d${sides}).`,
    )
    .tool(
      "book_table",
      { description: "Books a table after the user confirms", input: v.object({ restaurant: v.string(), people: v.number() }) },
      async ({ restaurant, people }, ctx) => {
        // 2025 clients get a real elicitation request; 2026 clients an input_required round.
        const answer = await ctx.elicit({
          key: "confirm",
          message: `Book a table for ${people} at ${restaurant}?`,
          schema: v.object({ confirm: v.boolean() }),
        });
        if (answer.action !== "accept" || !answer.content.confirm) return "Nothing booked.";
        // Work that may finish after the response is sent.
        const { executionCtx } = ctx.assigns as { executionCtx: ExecutionContextLike };
        executionCtx.waitUntil(Promise.resolve().then(() => console.log(`booked ${restaurant} for ${people}`)));
        return `Booked ${restaurant} for ${people}.`;
      },
    )
    .resource("info://greeting", { name: "greeting", mimeType: "text/plain" }, () => env.GREETING ?? "Hello");
  return server;
};

export default createWorker(build);
export const WispSessionObject = createSessionObject(build);
