import type { StoredComponent } from "../context/components.js";
import { toBase64 } from "../protocol/content.js";
import { ErrorCode, McpError } from "../protocol/errors.js";
import type { ResourceReturn } from "../protocol/results.js";
import { resourceDescriptor } from "../server/descriptors.js";
import { UriTemplate } from "../uri-template/uri-template.js";
import { type Call, implementationOf, isVisible, listPage, own as ownKey, requireCapability, sessionComponents, stringParam, visibleItems } from "./call.js";

const EMPTY = Object.freeze({}) as Record<string, unknown>;

export async function listResources(call: Call) {
  const { server, ctx, era } = call;
  requireCapability(server.hasVisible("resources", era), "resources/list");
  const listed: Record<string, unknown>[] = visibleItems(server.resources.values(), call).map((r) => r.descriptor);
  for (const template of visibleItems(server.templates.values(), call)) {
    if (!template.config.list) continue;
    // An item is a resource of its own: the template's title, description, icons or size describe
    // the template, and a client would show them on every item. Only two fields carry over:
    // `name`, which every listed resource needs, and `mimeType`, which a template declares only
    // when every resource matching it has that type (the spec's rule for templates).
    const { name, mimeType } = template.config;
    for (const item of await template.config.list(ctx)) listed.push(resourceDescriptor({ uri: item.uri }, { name, mimeType, ...item }));
  }
  return listPage(call, "resources", listed, "resources");
}

export async function listTemplates(call: Call) {
  const { server, era } = call;
  requireCapability(server.hasVisible("resources", era), "resources/templates/list");
  const listed = visibleItems(server.templates.values(), call).map((t) => t.descriptor);
  return listPage(call, "resourceTemplates", listed, "templates");
}

export async function readResource(call: Call) {
  const { server, ctx, params, resourceNotFoundCode, era } = call;
  requireCapability(server.hasVisible("resources", era), "resources/read");
  const uri = stringParam(params, "uri", "resources/read");
  const fixed = server.resources.get(uri);
  if (fixed && isVisible(fixed, call)) return { contents: resourceContents(await reading(call, uri, () => fixed.handler({ uri, params: {} }, ctx)), uri, fixed.config.mimeType) };
  // A template registered since the scope check may still be loading its matcher.
  const matching = server.codeLoading();
  if (matching) await matching;
  for (const template of visibleItems(server.templates.values(), call)) {
    const variables = template.template.match(uri);
    if (variables) return { contents: resourceContents(await reading(call, uri, () => template.handler({ uri, params: variables }, ctx)), uri, template.config.mimeType) };
  }
  const own = sessionComponents(call);
  if (own) {
    const fixedOwn = ownKey(own.resources, uri);
    const found = fixedOwn ? { component: fixedOwn, variables: {} } : matchTemplate(own.templates, uri);
    if (found) {
      const implementation = implementationOf(server.resourceHandlers, found.component, `Resource ${uri}`);
      const name = String(found.component.descriptor.uri ?? found.component.descriptor.uriTemplate);
      const value = await reading(call, uri, () => implementation({ uri, params: found.variables }, ctx, { name, data: found.component.data }));
      return { contents: resourceContents(value, uri, found.component.descriptor.mimeType as string | undefined) };
    }
  }
  throw new McpError(resourceNotFoundCode, `Resource not found: ${uri}`, { uri });
}

/**
 * A template matches URIs that may name nothing (`notes://{id}` and an unknown id): its handler
 * says so by throwing `ErrorCode.ResourceNotFound`, which gets the era's code and `data.uri`, the
 * same answer as a URI nothing matches (-32002 on the 2025 leg, -32602 on the 2026 leg).
 */
async function reading(call: Call, uri: string, read: () => ResourceReturn | PromiseLike<ResourceReturn>): Promise<ResourceReturn> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof McpError && error.code === ErrorCode.ResourceNotFound) throw new McpError(call.resourceNotFoundCode, error.message, error.data ?? { uri });
    throw error;
  }
}

function matchTemplate(templates: Record<string, StoredComponent>, uri: string) {
  for (const [template, component] of Object.entries(templates)) {
    const variables = new UriTemplate(template).match(uri);
    if (variables) return { component, variables };
  }
  return undefined;
}

function resourceContents(value: ResourceReturn, uri: string, mimeType: string | undefined): Record<string, unknown>[] {
  const withType = (item: Record<string, unknown>) => (mimeType && !item.mimeType ? { uri, mimeType, ...item } : { uri, ...item });
  if (typeof value === "string") return [withType({ text: value })];
  if (value instanceof Uint8Array) return [withType({ blob: toBase64(value) })];
  if (Array.isArray(value)) return value as unknown as Record<string, unknown>[];
  if ("contents" in value) return value.contents as unknown as Record<string, unknown>[];
  if ("blob" in value) return [withType({ ...value, blob: typeof value.blob === "string" ? value.blob : toBase64(value.blob) })];
  if ("text" in value) return [withType({ ...value })];
  throw new McpError(ErrorCode.InternalError, `The handler for ${uri} returned neither text, bytes nor contents`);
}

export async function subscribe(call: Call, on: boolean) {
  const { server, params, updateSession, era } = call;
  const method = on ? "resources/subscribe" : "resources/unsubscribe";
  requireCapability(server.hasVisible("resources", era), method);
  const uri = stringParam(params, "uri", method);
  await updateSession?.((current) => {
    const subscriptions = new Set(current.subscriptions ?? []);
    if (on) subscriptions.add(uri);
    else subscriptions.delete(uri);
    return { subscriptions: [...subscriptions] };
  });
  return EMPTY;
}
