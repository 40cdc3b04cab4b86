import { createServer } from "@wisp/core";
import { type HonoMcpOptions, mcp } from "@wisp/hono";
import { Hono } from "hono";
import { logger } from "hono/logger";
import * as v from "valibot";

type AppEnv = { Variables: { user: string } };

/** The MCP server knows nothing about Hono: it reads the caller from `ctx.assigns.user`. */
export const server = createServer({ name: "hono-example", version: "1.0.0" })
  .tool("whoami", { description: "Who the server thinks you are" }, (_args, ctx) => `You are ${ctx.assigns.user ?? "anonymous"}.`)
  .tool("confirm_action", { description: "Asks the user to confirm an action first", input: v.object({ action: v.string() }) }, async ({ action }, ctx) => {
    // 2025 sessions: a real elicitation/create request; 2026 requests: an input_required round.
    const answer = await ctx.elicit({ key: "confirm", message: `Really ${action}?`, schema: v.object({ confirm: v.boolean() }) });
    if (answer.action !== "accept") return `${action}: ${answer.action}`;
    return `${action}: ${answer.content.confirm ? "confirmed" : "refused"}`;
  })
  .resource("notes://today", { name: "today", mimeType: "text/plain" }, () => "Served by Hono.");

export interface AppOptions {
  /** Bearer token → user name. */
  tokens?: Map<string, string>;
  /** The runtime's `getConnInfo`, for `ctx.transport.remoteIp`. */
  getConnInfo?: HonoMcpOptions<AppEnv>["getConnInfo"];
}

/** A plain Hono app with MCP on /mcp. Runtime-neutral: main.ts serves it on Node. */
export function createApp({ tokens = new Map(), getConnInfo }: AppOptions = {}) {
  const app = new Hono<AppEnv>();
  app.use(logger());
  app.get("/", (c) => c.text("MCP endpoint: /mcp\n"));
  app.use("/mcp", async (c, next) => {
    const token = c.req.header("authorization")?.replace(/^Bearer\s+/i, "");
    const user = token ? tokens.get(token) : undefined;
    if (user) c.set("user", user); // → ctx.assigns.user
    await next();
  });
  app.all("/mcp", mcp(server, { getConnInfo }));
  return app;
}

/** "token=name,token=name" → Map. */
export function parseTokens(spec = ""): Map<string, string> {
  const entries = spec.split(",").map((pair) => pair.trim().split("=")).filter((pair) => pair.length === 2 && pair[0] && pair[1]);
  return new Map(entries as [string, string][]);
}
