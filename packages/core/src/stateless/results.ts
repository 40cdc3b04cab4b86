import { type RequestId, resultMessage, resultMessageOf } from "../protocol/jsonrpc.js";
import { CACHEABLE_METHODS } from "../protocol/methods.js";
import { META } from "../protocol/meta.js";
import { MODERN_VERSIONS } from "../protocol/versions.js";
import { resolveCache } from "../server/options.js";
import type { Registry } from "../server/registry.js";
import { withField } from "../util/merged.js";

/**
 * What every 2026-07-28 result carries on top of the feature's own: `resultType`, caching hints
 * on cacheable results, and the server's identity in `_meta`.
 */
export function decorate(server: Registry, method: string, params: Record<string, unknown>, result: Record<string, unknown>): Record<string, unknown> {
  const decorated = withField(result, "resultType", "complete") as Record<string, unknown>;
  if (CACHEABLE_METHODS.has(method)) {
    const hint = method === "resources/read" ? cacheOfResource(server, String(params.uri)) : server.options.cache;
    decorated.ttlMs = hint.ttlMs;
    decorated.cacheScope = hint.scope;
  }
  decorated._meta = result._meta === undefined ? serverMeta(server) : withField(result._meta as object, META.serverInfo, server.info);
  return decorated;
}

/**
 * The whole JSON-RPC message of a complete result: `decorate` + `resultMessage`, written faster
 * for the usual case (a result without `_meta` or `resultType` of its own, from a method without
 * caching hints): the handler's result is serialised as it is and the fields every such result
 * ends with are appended as text, serialised once per server. Same bytes either way.
 */
export function completeMessage(server: Registry, id: RequestId, method: string, params: Record<string, unknown>, result: Record<string, unknown>): string {
  if ("_meta" in result || "resultType" in result || CACHEABLE_METHODS.has(method)) return resultMessage(id, decorate(server, method, params, result));
  const json = JSON.stringify(result);
  // A result is an object, so its JSON ends with "}"; "{}" takes the fields without a comma.
  return resultMessageOf(id, `${json.slice(0, -1)}${json.length > 2 ? "," : ""}${completeTail(server)}}`);
}

const completeTails = new WeakMap<Registry, string>();

/** `"resultType":"complete","_meta":{…serverInfo}` for one server (its info is frozen). */
function completeTail(server: Registry): string {
  let tail = completeTails.get(server);
  if (tail === undefined) completeTails.set(server, (tail = JSON.stringify({ resultType: "complete", _meta: serverMeta(server) }).slice(1, -1)));
  return tail;
}

const serverMetas = new WeakMap<Registry, Readonly<Record<string, unknown>>>();

/**
 * `_meta` naming the server, made once per server: results without a `_meta` of their own
 * share it (frozen, as it is shared; only ever serialized).
 */
export function serverMeta(server: Registry): Readonly<Record<string, unknown>> {
  let meta = serverMetas.get(server);
  if (meta === undefined) serverMetas.set(server, (meta = Object.freeze({ [META.serverInfo]: server.info })));
  return meta;
}

function cacheOfResource(server: Registry, uri: string) {
  const config = server.resources.get(uri)?.config ?? [...server.templates.values()].find((t) => t.template.match(uri))?.config;
  return config?.cache ? resolveCache(config.cache, server.options.cache, `resource ${uri} cache`) : server.options.cache;
}

/** `server/discover`: what a stateless client learns instead of `initialize`. */
export function discover(server: Registry): Record<string, unknown> {
  const result: Record<string, unknown> = {
    resultType: "complete",
    supportedVersions: [...MODERN_VERSIONS],
    capabilities: server.capabilities("modern"),
  };
  if (server.instructions) result.instructions = server.instructions;
  result.ttlMs = server.options.cache.ttlMs;
  result.cacheScope = server.options.cache.scope;
  result._meta = serverMeta(server);
  return result;
}
