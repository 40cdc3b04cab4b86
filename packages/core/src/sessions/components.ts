import {
  type ComponentKind,
  type ComponentStore,
  type SessionPromptConfig,
  type SessionResourceConfig,
  type SessionToolConfig,
  type StoredComponent,
  type StoredComponents,
  emptyComponents,
} from "../context/components.js";
import { notifyChannel } from "../protocol/channels.js";
import { notificationMessage } from "../protocol/jsonrpc.js";
import { toJsonSchema } from "../schema/index.js";
import { assertDescription, assertToolName, emptyInputSchema, objectSchema, promptDescriptor, resourceDescriptor, toolDescriptor } from "../server/descriptors.js";
import type { SessionRecord } from "../storage/types.js";
import { prune } from "../util/prune.js";
import type { SessionChange } from "./load.js";
import type { SessionState } from "./state.js";

/**
 * Per-session components live in the session record, so every instance serving the session
 * sees them; list_changed goes to this session's GET stream only. Registrations are checked by
 * the same rules and listed in the same shape as server-wide ones (server/descriptors.ts).
 */
export function componentStore(state: SessionState, sessionId: string, record: SessionRecord, update: (change: SessionChange) => Promise<void>): ComponentStore {
  const { server } = state;
  let current = (record.components as StoredComponents | undefined) ?? emptyComponents();
  const handlers = { tool: server.toolHandlers, resource: server.resourceHandlers, prompt: server.promptHandlers };
  const assertHandler = (kind: "tool" | "resource" | "prompt", key: string) => {
    if (!handlers[kind].has(key)) {
      throw new TypeError(`No ${kind} handler "${key}": register it with server.${kind}Handler("${key}", fn) on every instance`);
    }
  };
  const assertFree = (kind: ComponentKind, key: string) => {
    const taken = kind === "tools" ? server.tools : kind === "prompts" ? server.prompts : kind === "resources" ? server.resources : server.templates;
    if (taken.has(key)) throw new TypeError(`"${key}" is already registered server-wide; pick another name for the session's own`);
  };
  return {
    current: () => structuredClone(current),
    async change(edit, changed) {
      let stored: StoredComponents | undefined;
      await update((latest) => {
        const next = structuredClone((latest.components as StoredComponents | undefined) ?? emptyComponents());
        edit(next);
        stored = next;
        return { components: next };
      });
      if (!stored) return; // the session ended meanwhile
      current = stored;
      record.components = stored; // later calls in this request see it too
      for (const kind of new Set(changed)) {
        await server.storage.bus.publish(notifyChannel(sessionId), notificationMessage(`notifications/${kind}/list_changed`));
      }
    },
    tool(name, config) {
      assertFree("tools", name);
      const component = toolComponent(name, config);
      assertHandler("tool", component.handler);
      return component;
    },
    resource(uriOrTemplate, config) {
      const built = resourceComponent(uriOrTemplate, config);
      assertFree(built.kind, uriOrTemplate);
      assertHandler("resource", built.component.handler);
      return built;
    },
    prompt(name, config) {
      assertFree("prompts", name);
      const component = promptComponent(name, config);
      assertHandler("prompt", component.handler);
      return component;
    },
  };
}

function toolComponent(name: string, config: SessionToolConfig): StoredComponent {
  const what = `registerTool("${name}")`;
  assertToolName(name, what);
  assertDescription(config?.description, what);
  const schema = config.input ? objectSchema(config.input, `${what} input`) : emptyInputSchema();
  return prune({ descriptor: toolDescriptor(name, config, schema), handler: config.handler ?? name, data: config.data, schema });
}

function resourceComponent(uriOrTemplate: string, config: SessionResourceConfig): { kind: "resources" | "templates"; component: StoredComponent } {
  if (!config?.name) throw new TypeError(`registerResource("${uriOrTemplate}"): a name is required`);
  const isTemplate = uriOrTemplate.includes("{");
  const descriptor = resourceDescriptor(isTemplate ? { uriTemplate: uriOrTemplate } : { uri: uriOrTemplate }, config);
  return { kind: isTemplate ? "templates" : "resources", component: prune({ descriptor, handler: config.handler ?? uriOrTemplate, data: config.data }) };
}

function promptComponent(name: string, config: SessionPromptConfig): StoredComponent {
  assertDescription(config?.description, `registerPrompt("${name}")`);
  const schema = config.args ? toJsonSchema(config.args) : undefined;
  return prune({ descriptor: promptDescriptor(name, config, schema), handler: config.handler ?? name, data: config.data, schema });
}
