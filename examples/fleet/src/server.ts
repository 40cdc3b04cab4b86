import { type Storage, createServer } from "@wisp/core";
import * as v from "valibot";

/**
 * The example's default secret for 2026-era `requestState`. Every instance must have the same
 * one, so an input round begun on one instance can be answered on another. Example only: a real
 * deployment sets its own WISP_REQUEST_STATE_SECRET (32+ random bytes, e.g.
 * `openssl rand -base64 32`) and keeps it out of the source.
 */
export const EXAMPLE_REQUEST_STATE_SECRET = "wisp-fleet-example-only-request-state-secret-0001";

export interface FleetServerOptions {
  /** This instance's name ("a", "b", …): the tools say which instance ran them. */
  instance: string;
  /** Shared by every instance (`redisStorage()`), so any of them can serve any request. */
  storage: Storage;
  /** The same on every instance, so a 2026-era input round begun on one can finish on another. */
  requestStateSecret: string;
}

/**
 * The example server every instance of the fleet runs. Its tools keep no data of their own
 * (whatever a tool stores must be shared too, or each instance would see its own), and each
 * says which instance ran it, so a client can watch its requests move between instances.
 */
export function createFleetServer({ instance, storage, requestStateSecret }: FleetServerOptions) {
  const here = `instance ${instance}, pid ${process.pid}`;
  return createServer({
    name: "wisp-fleet",
    version: "0.1.0",
    instructions: "A demo of several Wisp instances acting as one server. whoami says which instance answered.",
    storage,
    requestStateSecret,
  })
    .tool(
      "whoami",
      { description: "Say which instance of the fleet answered, and in which session", annotations: { readOnlyHint: true } },
      (_args, ctx) => `Answered by ${here}; session ${ctx.session.id ?? "none (a stateless request)"}.`,
    )
    .tool(
      "deploy",
      {
        description: "Deploy a service after asking the user to confirm (elicitation)",
        input: v.object({ service: v.pipe(v.string(), v.minLength(1)) }),
        annotations: { destructiveHint: true },
      },
      async ({ service }, ctx) => {
        // On a 2025 session the question goes out on this request's stream and the answer may be
        // POSTed to any instance; Redis carries it back here.
        const answer = await ctx.elicit({
          message: `Deploy ${service} to production?`,
          schema: v.object({ confirm: v.pipe(v.boolean(), v.title("Yes, deploy it")) }),
        });
        if (answer.action !== "accept" || !answer.content.confirm) return `Did not deploy ${service}.`;
        return `Deployed ${service}; the tool ran on ${here}.`;
      },
    )
    .tool(
      "countdown",
      {
        description: "Count down, one progress notification per second; cancel it from any instance",
        input: v.object({ seconds: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(60)) }),
      },
      async ({ seconds }, ctx) => {
        for (let left = seconds; left > 0; left--) {
          ctx.progress(seconds - left, seconds, `${left} s to go`);
          await new Promise((resolve) => setTimeout(resolve, 1000));
          // notifications/cancelled may reach another instance: it is relayed here through Redis.
          if (ctx.signal.aborted) return `Cancelled with ${left - 1} s to go, on ${here}.`;
        }
        return `Lift-off, counted on ${here}.`;
      },
    );
}
