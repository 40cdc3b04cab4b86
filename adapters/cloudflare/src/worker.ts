import { type HostContext, type Server, type Storage, TASK_METHODS, classifyPost, isServedPath } from "@wisp/core";
import { hubBus, memoryBus, routedBus } from "./bus.js";
import { BROADCAST_CHANNEL, HUB_NAME, INTERNAL, ROLE, type Role, isMintedSessionId, mintSessionId, stripInternal, tasksName } from "./internal.js";
import { type BuildServer, type CloudflareOptions, buildWith, namespaceOf } from "./options.js";
import type { DurableObjectNamespaceLike, ExecutionContextLike } from "./types.js";

export interface WispWorker<Env> {
  fetch(request: Request, env: Env, ctx: ExecutionContextLike): Promise<Response>;
}

/** Where one request is served. */
type Route = { to: "worker" } | { to: "object"; name: string; role: Role; newSession?: string };

/**
 * The Worker entry. It serves stateless 2026-07-28 requests itself and routes the rest to
 * Durable Objects of the class `createSessionObject` makes:
 * - 2025-era sessions: `initialize` gets a fresh session id minted here and goes to the object
 *   named by it; every later request with that `Mcp-Session-Id` (POST, GET stream, DELETE)
 *   reaches the same object, whichever isolate received it;
 * - `subscriptions/listen` goes to the hub object, which every isolate publishes
 *   list_changed and resources/updated to;
 * - the tasks extension (`tasks/*`, tools/call of a task tool) goes to the principal's tasks
 *   object, where a task may outlive the request that started it.
 * `env` and `ctx` reach handlers as `ctx.assigns.env` and `ctx.assigns.executionCtx`.
 * @example
 * const build = (env: Env, { storage }) => createServer({ name: "notes", version: "1.0.0", storage, requestStateSecret: env.WISP_SECRET });
 * export default createWorker(build);
 * export const WispSessionObject = createSessionObject(build);
 */
export function createWorker<Env = unknown>(build: BuildServer<Env>, options: CloudflareOptions<Env> = {}): WispWorker<Env> {
  const binding = options.binding ?? "WISP_SESSIONS";
  const path = options.path === undefined ? "/mcp" : options.path;
  let isolate: { server: Server; namespace: DurableObjectNamespaceLike; pending: Set<Promise<unknown>> } | undefined;

  function setup(env: Env) {
    if (isolate) return isolate;
    const namespace = namespaceOf(env, binding);
    const pending = new Set<Promise<unknown>>();
    const track = (work: Promise<unknown>) => {
      const settled = work.catch(() => {});
      pending.add(settled);
      void settled.then(() => pending.delete(settled));
    };
    const remote = hubBus(() => namespace.get(namespace.idFromName(HUB_NAME)), { track });
    const bus = routedBus(memoryBus(), remote, (channel) => channel === BROADCAST_CHANNEL);
    const storage = statelessStorage(bus);
    const server = buildWith(build, env, storage, bus);
    return (isolate = { server, namespace, pending });
  }

  return {
    async fetch(request, env, ctx) {
      if (path !== null && !isServedPath(new URL(request.url).pathname, path)) {
        return new Response("Not Found", { status: 404, headers: { "content-type": "text/plain" } });
      }
      const { server, namespace, pending } = setup(env);
      const principal = options.principal ? await options.principal(request, env) : undefined;
      if (principal instanceof Response) return principal;
      const remoteIp = request.headers.get("cf-connecting-ip") ?? undefined;
      const headers = stripInternal(request.headers);

      let body: string | ReadableStream<Uint8Array> | null = null;
      let route: Route = { to: "worker" };
      if (request.method === "POST") {
        const read = await readForRouting(request, server.options.maxRequestSize);
        body = read.text ?? read.stream;
        if (read.text !== undefined) route = routePost(read.text, headers, server, principal);
      } else if ((request.method === "GET" || request.method === "DELETE") && server.servesSessions) {
        const sessionId = headers.get("mcp-session-id");
        if (sessionId && isMintedSessionId(sessionId)) route = { to: "object", name: sessionId, role: ROLE.session };
      }

      try {
        if (route.to === "worker") {
          const host: HostContext = { assigns: { env, executionCtx: ctx }, auth: principal === undefined ? undefined : { principal }, remoteIp };
          // The client's signal comes along: a 2026 call whose client left is cancelled.
          return await server.handle(rebuild(request, headers, body, request.signal), host);
        }
        headers.set(INTERNAL.role, route.role);
        if (route.newSession) headers.set(INTERNAL.sessionId, route.newSession);
        if (principal !== undefined) headers.set(INTERNAL.principal, encodeURIComponent(principal));
        if (remoteIp) headers.set(INTERNAL.remoteIp, remoteIp);
        const stub = namespace.get(namespace.idFromName(route.name));
        try {
          return await stub.fetch(rebuild(request, headers, body));
        } catch (error) {
          // The object threw or was reset under this request: answer in JSON-RPC, not an HTML page.
          console.error(`@wisp/cloudflare: Durable Object request failed: ${error instanceof Error ? error.message : String(error)}`);
          return objectFailed();
        }
      } finally {
        // Hub publishes still running (a notifyListChanged() nobody awaited) finish after the response.
        if (pending.size) ctx.waitUntil(drain(pending));
      }
    },
  };
}

/** Where a POST goes, by the core's own era classification (`classifyPost`). */
function routePost(text: string, headers: Headers, server: Server, principal: string | undefined): Route {
  const sessionId = headers.get("mcp-session-id");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { to: "worker" }; // the core answers -32700
  }
  const route = classifyPost(body, headers.get("mcp-protocol-version"));
  // A 2026-only server (@wisp/core/stateless) refuses 2025 requests: no session object for that.
  if ((route.to === "initialize" || route.to === "session") && !server.servesSessions) return { to: "worker" };
  switch (route.to) {
    case "initialize": {
      const id = mintSessionId();
      return { to: "object", name: id, role: ROLE.session, newSession: id };
    }
    case "session":
      return sessionId && isMintedSessionId(sessionId) ? { to: "object", name: sessionId, role: ROLE.session } : { to: "worker" };
    case "stateless": {
      const { method, params } = body as { method?: unknown; params?: { name?: unknown } };
      if (method === "subscriptions/listen") return { to: "object", name: HUB_NAME, role: ROLE.hub };
      if (server.hasTaskTools && typeof method === "string" && TASK_METHODS.has(method)) return { to: "object", name: tasksName(principal), role: ROLE.tasks };
      if (method === "tools/call" && server.tools.get(String(params?.name))?.config.task !== undefined) {
        return { to: "object", name: tasksName(principal), role: ROLE.tasks };
      }
      return { to: "worker" };
    }
    default:
      return { to: "worker" }; // refused or accepted: the core answers it the same anywhere
  }
}

/**
 * Reads a POST body to route it. Past `limit` bytes it stops and hands back a stream that
 * replays what was read and continues with the rest, so the core answers 413 exactly as usual.
 */
async function readForRouting(request: Request, limit: number): Promise<{ text?: string; stream: ReadableStream<Uint8Array> | null }> {
  if (!request.body) return { text: "", stream: null };
  const declared = Number(request.headers.get("content-length"));
  if (declared > limit) return { stream: request.body };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > limit) {
      const replay = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const next = chunks.shift();
          if (next) return controller.enqueue(next);
          const { done: end, value: more } = await reader.read();
          if (end) controller.close();
          else controller.enqueue(more);
        },
        cancel: (reason) => reader.cancel(reason),
      });
      return { stream: replay };
    }
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { text: new TextDecoder().decode(all), stream: null };
}

function rebuild(request: Request, headers: Headers, body: string | ReadableStream<Uint8Array> | null, signal?: AbortSignal): Request {
  const init: RequestInit & { duplex?: "half" } = { method: request.method, headers, body, signal };
  if (body instanceof ReadableStream) init.duplex = "half";
  return new Request(request.url, init);
}

function objectFailed(): Response {
  const body = JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32603, message: "Internal error: the request's Durable Object failed; retry it" } });
  return new Response(body, { status: 500, headers: { "content-type": "application/json" } });
}

async function drain(pending: Set<Promise<unknown>>): Promise<void> {
  while (pending.size) await Promise.all([...pending]);
}

/**
 * The Worker isolate's storage: no sessions, events or tasks live here (they are in Durable
 * Objects), so reads find nothing and writes say the request was misrouted; the bus sends
 * broadcasts to the hub.
 */
/** requestState claims made in this isolate, with their expiry. */
const claimed = new Map<string, number>();
let lastSweep = 0;
async function claimInIsolate(key: string, _owner: string, ttlMs: number): Promise<boolean> {
  const now = Date.now();
  if (claimed.size > 10_000 && now - lastSweep > 60_000) {
    lastSweep = now;
    for (const [k, until] of claimed) if (until <= now) claimed.delete(k);
  }
  if ((claimed.get(key) ?? 0) > now) return false;
  claimed.set(key, now + ttlMs);
  return true;
}

function statelessStorage(bus: Storage["bus"]): Storage {
  const misrouted = () => Promise.reject(new Error("@wisp/cloudflare: sessions and tasks live in Durable Objects; this request should not have reached the Worker's store"));
  return {
    sessions: { get: async () => undefined, set: misrouted, update: async () => undefined, delete: async () => false },
    events: { append: misrouted, after: async () => undefined, deleteStream: async () => {}, deleteSession: async () => {} },
    tasks: { get: async () => undefined, set: misrouted, update: async () => undefined, delete: async () => {} },
    // GET stream leases live in Durable Objects. What reaches the Worker is the claim on a 2026
    // requestState: kept in this isolate, so a replay through another isolate is not caught.
    leases: { acquire: claimInIsolate, takeOver: misrouted, renew: async () => false, release: async (key) => void claimed.delete(key) },
    bus,
  };
}
