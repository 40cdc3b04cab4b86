import type {
  CallToolResult,
  ClientCapabilities,
  GetPromptResult,
  HostContext,
  Icon,
  LogLevel,
  ResourceContents,
  Root,
  SampleRequest,
  SampleResult,
  ServerInfo,
  ToolAnnotations,
} from "../index.js";

export type { CallToolResult, GetPromptResult, ResourceContents, Root, SampleRequest, SampleResult, ServerInfo };

type MaybePromise<T> = T | Promise<T>;

/** What `elicitation/create` asks: a form with a JSON Schema, or a URL to send the user to. */
export type ElicitRequest =
  | { mode?: "form"; message: string; requestedSchema: Record<string, unknown> }
  | { mode: "url"; message: string; url: string; elicitationId: string };

/** The user's answer; a URL-mode acceptance has no content. */
export type ElicitAnswer = { action: "accept"; content?: Record<string, unknown> } | { action: "decline" } | { action: "cancel" };

/** A `notifications/message` the server logged. */
export interface LogMessage {
  level: LogLevel;
  data: unknown;
  logger?: string;
}

export interface Progress {
  progress: number;
  total?: number;
  message?: string;
}

export interface ConnectOptions {
  /**
   * The protocol revision to speak: "2026-07-28" (the default, stateless) or a 2025-era one
   * ("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"), which opens a session.
   */
  protocolVersion?: string;
  /** Answers elicitation; given, the client declares the `elicitation` capability (form and URL). */
  onElicit?: (request: ElicitRequest) => MaybePromise<ElicitAnswer>;
  /** Answers sampling; given, the client declares `sampling`. */
  onSample?: (request: SampleRequest) => MaybePromise<SampleResult>;
  /** Answers `roots/list`; given, the client declares `roots`. */
  roots?: Root[] | (() => MaybePromise<Root[]>);
  /** Receives the server's log messages (2026: asks for them at `logLevel` on every request). */
  onLog?: (message: LogMessage) => void;
  /** The lowest level to receive: 2025 sends `logging/setLevel` once; 2026 puts it in every request's `_meta`. Default with `onLog` in 2026: "debug". */
  logLevel?: LogLevel;
  /** Any other notification the server sends (list changes, resource updates). */
  onNotification?: (method: string, params: Record<string, unknown>) => void;
  /** Merged over the capabilities the handlers above declare. */
  capabilities?: ClientCapabilities;
  /** Default `{ name: "wisp-test-client", version: "1.0.0" }`. */
  clientInfo?: { name: string; version: string; [key: string]: unknown };
  /** Handed to every `server.handle()`: `auth`, `assigns`, `remoteIp`, … as an adapter would set them. */
  host?: HostContext;
  /** Sent with every request, e.g. `authorization` for an `onRequest` hook. */
  headers?: Record<string, string>;
  /** The endpoint URL the requests name. Default "http://127.0.0.1/mcp". */
  url?: string;
}

export interface CallOptions {
  /** Asks for progress (a `progressToken` in `_meta`) and receives it. */
  onProgress?: (progress: Progress) => void;
  /** Cancels the call: 2025 sends `notifications/cancelled`, 2026 drops the response; the call rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** A `tools/list` entry. */
export interface ListedTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: ToolAnnotations;
  icons?: Icon[];
  _meta?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A `resources/list` entry. */
export interface ListedResource {
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  [key: string]: unknown;
}

/** A `resources/templates/list` entry. */
export interface ListedResourceTemplate {
  uriTemplate: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  [key: string]: unknown;
}

/** A `prompts/list` entry. */
export interface ListedPrompt {
  name: string;
  title?: string;
  description?: string;
  arguments?: { name: string; description?: string; required?: boolean }[];
  [key: string]: unknown;
}

/** A page of a list; `nextCursor` is set when the server paginates and there is more. */
export type Page<K extends string, T> = { [key in K]: T[] } & { nextCursor?: string; _meta?: Record<string, unknown> };

export interface ReadResourceResult {
  contents: ResourceContents[];
  _meta?: Record<string, unknown>;
}

export type CompletionRef = { type: "ref/prompt"; name: string } | { type: "ref/resource"; uri: string };

export interface CompleteResult {
  completion: { values: string[]; total?: number; hasMore?: boolean };
}
