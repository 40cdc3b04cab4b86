import { createServer } from "@wisp/core";
import * as v from "valibot";

/**
 * One Wisp server module, served by two routes: app/mcp (Node.js runtime) and app/edge/mcp (Edge
 * runtime). Each runtime bundles its own copy, so each route has its own in-memory sessions.
 */
export const server = createServer({
  name: "next-example",
  version: "1.0.0",
  // Signs 2026 input rounds; set it in production so every instance accepts the others' rounds.
  requestStateSecret: process.env.WISP_REQUEST_STATE_SECRET,
})
  .tool("add", { description: "Add two numbers", input: v.object({ a: v.number(), b: v.number() }) }, ({ a, b }) => String(a + b))
  .tool("confirm_action", { description: "Asks the user to confirm an action first", input: v.object({ action: v.string() }) }, async ({ action }, ctx) => {
    // On a 2025 session this is a real elicitation/create request; on a 2026 request an input_required round.
    const answer = await ctx.elicit({ key: "confirm", message: `Really ${action}?`, schema: v.object({ confirm: v.boolean() }) });
    if (answer.action !== "accept") return `${action}: ${answer.action}`;
    return `${action}: ${answer.content.confirm ? "confirmed" : "refused"} (${ctx.session.era}, ${runtime()})`;
  })
  .resource("notes://today", { name: "today", mimeType: "text/plain" }, () => `Served by Next.js (${runtime()}).`);

/** "edge" inside the Edge runtime, "nodejs" in Node. */
function runtime(): string {
  return typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime === "string" ? "edge" : "nodejs";
}
