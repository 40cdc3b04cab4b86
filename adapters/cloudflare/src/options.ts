import type { Server, Storage } from "@wisp/core";
import type { DurableObjectNamespaceLike } from "./types.js";

/**
 * Builds the server. It runs once per Worker isolate and once per Durable Object, so it
 * must be cheap and deterministic: register the same features every time, and pass the
 * given `storage` to `createServer`.
 */
export type BuildServer<Env> = (env: Env, host: { storage: Storage }) => Server<any>;

export interface CloudflareOptions<Env = unknown> {
  /** Name of the Durable Object namespace binding in `env`. Default `"WISP_SESSIONS"`. */
  binding?: string;
  /** The path the Worker serves; other paths answer 404. `null` serves every path. Default `"/mcp"`. */
  path?: string | null;
  /**
   * The authenticated caller (e.g. a verified token's subject). It binds 2026 `requestState`
   * and tasks to that caller, and tasks are kept in one Durable Object per principal.
   * Answer with a `Response` (e.g. 401) to refuse the request.
   */
  principal?: (request: Request, env: Env) => string | undefined | Response | Promise<string | undefined | Response>;
}

export function namespaceOf(env: unknown, binding: string): DurableObjectNamespaceLike {
  const namespace = (env as Record<string, unknown> | undefined)?.[binding] as DurableObjectNamespaceLike | undefined;
  if (!namespace || typeof namespace.idFromName !== "function") {
    throw new TypeError(
      `@wisp/cloudflare: env.${binding} is not a Durable Object namespace. Bind the exported session class, e.g. in wrangler.jsonc: ` +
        `"durable_objects": { "bindings": [{ "name": "${binding}", "class_name": "WispSessionObject" }] }`,
    );
  }
  return namespace;
}

/** Builds the server with bus publishes muted, and checks that it uses the storage it was given. */
export function buildWith<Env>(build: BuildServer<Env>, env: Env, storage: Storage, bus: { muted: boolean }): Server {
  bus.muted = true;
  let server: Server;
  try {
    server = build(env, { storage });
  } finally {
    bus.muted = false;
  }
  if (!server || typeof server.handle !== "function") throw new TypeError("@wisp/cloudflare: the build function must return the server createServer() made");
  if (server.storage !== storage) {
    throw new TypeError("@wisp/cloudflare: pass the storage you are given to createServer: (env, { storage }) => createServer({ name, version, storage })");
  }
  return server;
}
