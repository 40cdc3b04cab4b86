import type { ContentBlock, ResourceContents } from "./content.js";

/** What handlers may return, per feature; Wisp turns each into the method's wire result. */

export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface CallToolResult {
  content: ContentBlock[];
  structuredContent?: unknown;
  isError?: boolean;
  _meta?: Record<string, unknown>;
}

/** What a tool without an output schema may return; Wisp turns it into a `CallToolResult`. */
export type ToolReturn = string | ContentBlock | ContentBlock[] | CallToolResult;

/** What a resource handler may return: text, bytes, one content item, or the full result. */
export type ResourceReturn =
  | string
  | Uint8Array
  | { text: string; mimeType?: string }
  | { blob: string | Uint8Array; mimeType?: string }
  | ResourceContents[]
  | { contents: ResourceContents[] };

export interface PromptMessage {
  role: "user" | "assistant";
  content: ContentBlock;
}
export interface GetPromptResult {
  description?: string;
  messages: PromptMessage[];
  _meta?: Record<string, unknown>;
}
export type PromptReturn = string | PromptMessage[] | GetPromptResult;
