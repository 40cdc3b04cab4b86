import type { HostContext, Server } from "@wisp/core";
import { hubBus, hubStream, memoryBus, routedBus } from "./bus.js";
import { BROADCAST_CHANNEL, HUB_NAME, INTERNAL, OP, ROLE, type Role, stripInternal } from "./internal.js";
import { type BuildServer, type CloudflareOptions, buildWith, namespaceOf } from "./options.js";
import { type DurableStorage, durableObjectStorage } from "./storage.js";
import type { DurableObjectStateLike, ExecutionContextLike } from "./types.js";

/** What `createSessionObject` returns: a Durable Object class for `export const WispSessionObject = …`. */
export interface WispSessionObjectClass<Env> {
  new (state: DurableObjectStateLike, env: Env): WispSessionObjectInstance;
}

export interface WispSessionObjectInstance {
  fetch(request: Request): Promise<Response>;
  alarm(): Promise<void>;
}

/**
 * The Durable Object class behind `createWorker`. One class, three jobs, each object doing one:
 * - a 2025-era session (named by its session id): the session record and resumable events in
 *   the object's storage (so an evicted object picks the session up again), the GET stream,
 *   calls waiting for a client's elicitation/sampling/roots reply, cancellations — all of a
 *   session's traffic arrives here, so a bus local to the object connects them;
 * - the hub (one object): holds `subscriptions/listen` streams and relays broadcasts
 *   (list_changed, resources/updated) to every subscriber, including 2025 GET streams in
 *   session objects;
 * - a tasks shard (one per principal): task records, and the handlers that run past the
 *   response that created them.
 */
export function createSessionObject<Env = unknown>(build: BuildServer<Env>, options: CloudflareOptions<Env> = {}): WispSessionObjectClass<Env> {
  const binding = options.binding ?? "WISP_SESSIONS";

  return class WispSessionObject implements WispSessionObjectInstance {
    readonly state: DurableObjectStateLike;
    readonly env: Env;
    readonly storage: DurableStorage;
    readonly #local = memoryBus();
    readonly #bus;
    #role: Role | undefined;
    #server: Server | undefined;

    constructor(state: DurableObjectStateLike, env: Env) {
      this.state = state;
      this.env = env;
      const namespace = () => namespaceOf(env, binding);
      const remote = hubBus(() => namespace().get(namespace().idFromName(HUB_NAME)));
      // The hub delivers broadcasts itself; everyone else sends them to the hub and hears them back from it.
      this.#bus = routedBus(this.#local, remote, (channel) => channel === BROADCAST_CHANNEL && this.#role !== ROLE.hub);
      this.storage = durableObjectStorage(state.storage, { bus: this.#bus });
    }

    get server(): Server {
      return (this.#server ??= buildWith(build, this.env, this.storage, this.#bus));
    }

    async fetch(request: Request): Promise<Response> {
      const role = request.headers.get(INTERNAL.role) as Role | null;
      if (role !== ROLE.session && role !== ROLE.hub && role !== ROLE.tasks) {
        return new Response("Not Found", { status: 404 }); // only the Worker talks to these objects
      }
      this.#role ??= role;
      if (role === ROLE.hub) {
        const op = request.headers.get(INTERNAL.op);
        if (op === OP.publish) {
          const { channel, message } = (await request.json()) as { channel: string; message: unknown };
          await this.#local.publish(channel, message);
          return new Response(null, { status: 204 });
        }
        if (op === OP.subscribe) {
          const channel = new URL(request.url).searchParams.get("channel");
          if (!channel) return new Response("channel missing", { status: 400 });
          return hubStream(this.#local, channel);
        }
      }
      const principal = request.headers.get(INTERNAL.principal);
      // A Durable Object lives on after its responses; its state.waitUntil exists for the same shape.
      const executionCtx: ExecutionContextLike = {
        waitUntil: (promise) => (typeof this.state.waitUntil === "function" ? this.state.waitUntil(promise) : void promise.catch(() => {})),
      };
      const host: HostContext = {
        assigns: { env: this.env, executionCtx, state: this.state },
        auth: principal === null ? undefined : { principal: decodeURIComponent(principal) },
        remoteIp: request.headers.get(INTERNAL.remoteIp) ?? undefined,
        sessionId: request.headers.get(INTERNAL.sessionId) ?? undefined,
      };
      const init: RequestInit & { duplex?: "half" } = { method: request.method, headers: stripInternal(request.headers), body: request.body };
      if (request.body) init.duplex = "half";
      return this.server.handle(new Request(request.url, init), host);
    }

    /** Expires sessions and tasks whose time ran out. */
    async alarm(): Promise<void> {
      await this.storage.sweep();
    }
  };
}
