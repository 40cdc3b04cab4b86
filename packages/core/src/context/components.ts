import { ErrorCode, McpError } from "../protocol/errors.js";
import type { Icon } from "../protocol/content.js";
import type { ToolAnnotations } from "../protocol/results.js";
import type { JsonSchema, SchemaLike } from "../schema/index.js";

interface Common {
  /** Key of the implementation registered with server.toolHandler/resourceHandler/promptHandler. Default: the component's name. */
  handler?: string;
  /** JSON-serialisable data handed to the implementation. */
  data?: unknown;
}
export interface SessionToolConfig extends Common {
  description: string;
  title?: string;
  input?: SchemaLike;
  annotations?: ToolAnnotations;
  icons?: Icon[];
}
export interface SessionResourceConfig extends Common {
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}
export interface SessionPromptConfig extends Common {
  description: string;
  title?: string;
  args?: SchemaLike;
}

/** One stored component: its list entry plus what runs it. Only JSON, so any instance can read it. */
export interface StoredComponent {
  descriptor: Record<string, unknown>;
  handler: string;
  data?: unknown;
  /** Tools: input schema; prompts: argument schema. */
  schema?: JsonSchema;
}

export interface StoredComponents {
  tools: Record<string, StoredComponent>;
  resources: Record<string, StoredComponent>;
  templates: Record<string, StoredComponent>;
  prompts: Record<string, StoredComponent>;
}

export type ComponentKind = keyof StoredComponents;

export const emptyComponents = (): StoredComponents => ({ tools: {}, resources: {}, templates: {}, prompts: {} });

/**
 * Where a context keeps its session's components; only 2025-era sessions have one. The
 * session layer implements it: it turns a registration into its stored form (checking the
 * name, the schema and that an implementation is registered) and persists the result.
 */
export interface ComponentStore {
  current(): StoredComponents;
  /**
   * Applies `edit` to the session's components as stored now (compare-and-swap: a registration
   * made at the same time by another request, on any instance, is kept) and tells the session
   * its `changed` lists changed. `edit` may run more than once.
   */
  change(edit: (components: StoredComponents) => void, changed: ComponentKind[]): Promise<void>;
  tool(name: string, config: SessionToolConfig): StoredComponent;
  resource(uriOrTemplate: string, config: SessionResourceConfig): { kind: "resources" | "templates"; component: StoredComponent };
  prompt(name: string, config: SessionPromptConfig): StoredComponent;
}

export const noSessionStore = (): never => {
  throw new McpError(
    ErrorCode.InvalidRequest,
    "Per-session registration needs a 2025-era session; 2026-era requests are stateless (use a visible predicate to vary lists by authorization)",
  );
};
