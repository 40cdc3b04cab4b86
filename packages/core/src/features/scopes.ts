import type { HostContext } from "../context/host.js";
import { HttpError, InsufficientScopeError } from "../protocol/errors.js";
import type { Registry } from "../server/registry.js";

/**
 * The scopes a call needs beyond the endpoint's own: a tool's, prompt's or resource's `scopes`.
 * Checked before the call runs, while its response can still be a plain HTTP 403 (step-up).
 */
export function requiredScopes(server: Registry, method: string, params: Record<string, unknown>): readonly string[] | undefined {
  // Names are client data: anything but a string names nothing here (the call itself says -32602).
  if (method === "tools/call") return typeof params.name === "string" ? server.tools.get(params.name)?.config.scopes : undefined;
  if (method === "prompts/get") return typeof params.name === "string" ? server.prompts.get(params.name)?.config.scopes : undefined;
  if (method === "resources/read") {
    if (typeof params.uri !== "string") return undefined;
    const uri = params.uri;
    const fixed = server.resources.get(uri);
    if (fixed) return fixed.config.scopes;
    for (const template of server.templates.values()) if (template.template.match(uri)) return template.config.scopes;
  }
  return undefined;
}

/**
 * Resolves once `missingScopeError` can decide `method`: a resources/read may have to match a
 * resource template whose matcher is still loading. Undefined (nothing to wait for) otherwise.
 */
export function scopeCheckReady(server: Registry, method: string): Promise<void> | undefined {
  return method === "resources/read" ? server.codeLoading() : undefined;
}

/**
 * The refusal when the caller lacks a scope the call needs (403 with a step-up challenge), or
 * when the need cannot be known (a template matcher that failed to load: 500); else undefined.
 */
export function missingScopeError(server: Registry, method: string, params: Record<string, unknown>, host: HostContext | undefined): HttpError | undefined {
  let required: readonly string[] | undefined;
  try {
    required = requiredScopes(server, method, params);
  } catch (error) {
    if (error instanceof HttpError) return error; // fails closed, answered with the request's id
    throw error;
  }
  if (!required?.length) return undefined;
  const granted = host?.auth?.scopes ?? [];
  if (required.every((scope) => granted.includes(scope))) return undefined;
  // Ask for everything at once: what the token already has plus what is missing (a client that
  // replaces its scope with the challenge's must not lose the scopes the endpoint needs).
  return new InsufficientScopeError(required, [...new Set([...granted, ...required])], host?.resourceMetadata);
}
