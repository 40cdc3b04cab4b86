/**
 * The Worker the workerd tests run (bundled by startWorkerd with testHooks). Its tools report
 * what a handler sees on workerd: the era, `env`, `ctx.waitUntil`, and which isolate ran it.
 */
import { type Server, createServer } from "@wisp/core";
import * as v from "valibot";
import type { BuildServer } from "../options.js";
import { createSessionObject, createWorker } from "../index.js";

interface Env {
  SECRET: string;
  LABEL: string;
  SESSION_TIMEOUT?: string;
}

const build: BuildServer<Env> = (env, { storage }) => {
  const server: Server = createServer({
    name: "workerd-test",
    version: "1.0.0",
    storage,
    requestStateSecret: env.SECRET,
    ...(env.SESSION_TIMEOUT ? { sessionTimeout: Number(env.SESSION_TIMEOUT) } : {}),
  })
    .tool("confirm_action", { description: "Asks the user to confirm an action", input: v.object({ action: v.string() }) }, async ({ action }, ctx) => {
      const answer = await ctx.elicit({ key: "confirm", message: `Really ${action}?`, schema: v.object({ confirm: v.boolean() }) });
      if (answer.action !== "accept") return `${action}: ${answer.action}`;
      return answer.content.confirm ? `${action}: confirmed (${ctx.session.era})` : `${action}: refused (${ctx.session.era})`;
    })
    .tool("host_info", { description: "What the host put into ctx.assigns" }, (_args, ctx) => {
      const { env: seen, executionCtx } = ctx.assigns as { env?: Env; executionCtx?: { waitUntil?: unknown } };
      return JSON.stringify({ era: ctx.session.era, label: seen?.LABEL, waitUntil: typeof executionCtx?.waitUntil, session: ctx.session.id ?? null });
    })
    .tool("announce", { description: "Tells every client the tool list changed" }, async () => {
      await server.notifyListChanged("tools");
      return "announced";
    })
    .resource("test://greeting", { name: "greeting", mimeType: "text/plain" }, () => "Hello from workerd");
  return server;
};

export default createWorker(build);
export const WispSessionObject = createSessionObject(build);
