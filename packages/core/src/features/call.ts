import type { Context } from "../context/context.js";
import type { ComponentKind, StoredComponent, StoredComponents } from "../context/components.js";
import { ErrorCode, McpError } from "../protocol/errors.js";
import type { Era, Visibility } from "../server/definitions.js";
import type { Registry } from "../server/registry.js";
import type { SessionRecord } from "../storage/types.js";
import { paginate } from "./pagination.js";

/** One method call as the feature layer sees it: no HTTP, just a context, params and the era's rules. */
export interface Call {
  server: Registry;
  ctx: Context;
  params: Record<string, unknown>;
  /** The protocol revision whose wire rules apply to this call. */
  version: string;
  /**
   * Persists a change to the caller's session (2025 era); absent on stateless requests. Pass a
   * function to compute the change from the current record, so concurrent requests don't
   * overwrite each other.
   */
  updateSession?: (change: Record<string, unknown> | ((current: SessionRecord) => Record<string, unknown>)) => Promise<void>;
  /** The caller's 2025-era session, when there is one. */
  record?: SessionRecord;
  /** Which leg serves the call: features registered for the other era are invisible. */
  era: Era;
  /** How a missing resource is reported: -32002 on the 2025 leg, -32602 on the 2026 leg. */
  resourceNotFoundCode: number;
}

export type MethodHandler = (call: Call) => Promise<Record<string, unknown>>;

/** Whether a registered feature exists for this caller: its era, then its visibility predicate. */
export function isVisible(item: { config: { era?: Era; visible?: Visibility } }, call: Call): boolean {
  if (item.config.era !== undefined && item.config.era !== call.era) return false;
  const predicate = item.config.visible;
  if (!predicate) return true;
  try {
    return predicate(call.ctx) === true;
  } catch {
    return false; // a broken predicate hides, never exposes
  }
}

export function visibleItems<T extends { config: { era?: Era; visible?: Visibility } }>(items: Iterable<T>, call: Call): T[] {
  const out: T[] = [];
  for (const item of items) if (isVisible(item, call)) out.push(item);
  return out;
}

/** Components this session registered at run time (2025 era). */
export const sessionComponents = (call: Call): StoredComponents | undefined => call.record?.components as StoredComponents | undefined;

export function requireCapability(present: boolean, method: string): void {
  if (!present) throw new McpError(ErrorCode.MethodNotFound, `Method not found: ${method} (this server has no such feature)`);
}

export function stringParam(params: Record<string, unknown>, key: string, method: string): string {
  const value = params[key];
  if (typeof value !== "string" || value === "") throw new McpError(ErrorCode.InvalidParams, `${method}: "${key}" must be a non-empty string`);
  return value;
}

export function objectParam(params: Record<string, unknown>, key: string, method: string): Record<string, unknown> {
  const value = params[key];
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw new McpError(ErrorCode.InvalidParams, `${method}: "${key}" must be an object`);
  return value as Record<string, unknown>;
}

/**
 * Looks up a client-named key in a plain object without falling through to Object.prototype
 * ("constructor", "__proto__", "toString" must be unknown, not built-ins).
 */
export function own<T>(object: Record<string, T> | undefined, key: string): T | undefined {
  return object !== undefined && Object.hasOwn(object, key) ? object[key] : undefined;
}

/**
 * One page of a list result: the server's entries, then those this session registered itself
 * (`own`, 2025 era), paged by the caller's cursor and page size, under `key`.
 */
export function listPage(call: Call, key: string, entries: Record<string, unknown>[], own?: ComponentKind): Record<string, unknown> {
  const registered = own ? sessionComponents(call)?.[own] : undefined;
  if (registered) for (const component of Object.values(registered)) entries.push(component.descriptor);
  const { page, nextCursor } = paginate(entries, call.params.cursor, call.ctx.paginationLimit);
  return nextCursor ? { [key]: page, nextCursor } : { [key]: page };
}

/**
 * The one lookup for a named tool or prompt: the server's own when it exists (and the caller may
 * see it), else one this session registered (2025 era). A server-wide name always wins.
 */
export function findFeature<D extends { config: { era?: Era; visible?: Visibility } }>(
  call: Call,
  registered: ReadonlyMap<string, D>,
  kind: "tools" | "prompts",
  name: string,
): { registered: D } | { component: StoredComponent } | undefined {
  const found = registered.get(name);
  if (found) return isVisible(found, call) ? { registered: found } : undefined;
  const component = own(sessionComponents(call)?.[kind], name);
  return component ? { component } : undefined;
}

/** The implementation a session component points at; every instance must have it registered. */
export function implementationOf<H>(handlers: ReadonlyMap<string, H>, component: StoredComponent, what: string): H {
  const implementation = handlers.get(component.handler);
  if (!implementation) throw new McpError(ErrorCode.InternalError, `${what} points at handler "${component.handler}", which this server does not have`);
  return implementation;
}
