// The public API both entries share: `@wisp/core` (index.ts) adds the dual-era createServer,
// `@wisp/core/stateless` (stateless-only.ts) the 2026-07-28-only one.
export { Server } from "./server.js";
export type { ServerInfo } from "./server/registry.js";
export type { ServerOptions, OriginPolicy } from "./server/options.js";
export type * from "./server/definitions.js";
export { Context, LOG_LEVELS } from "./context/context.js";
export type { AuthInfo, ClientCapabilities, ElicitResult, LogLevel, RequestInfo, Root, SampleRequest, SampleResult, SessionInfo } from "./context/context.js";
export type { HostContext, IncomingRequest, RequestHook } from "./context/host.js";
export type { HttpTransport, StdioTransport, Transport } from "./context/transport.js";
export type { HttpHandler } from "./http/handler.js";
export type { Exchange, Outcome } from "./http/exchange.js";
export { EventStream, type EventSink } from "./http/event-stream.js";
export { fromRequest, toResponse } from "./http/exchange.js";
export { classifyPost } from "./http/classify.js";
export { PROTECTED_RESOURCE_METADATA, isServedPath } from "./http/paths.js";
export type { PostRoute } from "./http/classify.js";
export { ErrorCode, HttpError, InsufficientScopeError, McpError, StorageUnavailableError, ToolError } from "./protocol/errors.js";
export { LEGACY_VERSIONS, LATEST_LEGACY_VERSION, MODERN_VERSIONS } from "./protocol/versions.js";
export { BROADCAST_CHANNEL } from "./protocol/channels.js";
export { TASK_METHODS } from "./protocol/methods.js";
export { audio, image, resource, resourceLink, text } from "./protocol/content.js";
export type * from "./protocol/content.js";
export { memoryBus, memoryStorage } from "./storage/memory.js";
export type * from "./storage/types.js";
// `UriTemplate` itself is exported from "@wisp/core/uri-template": see the README (Other exports).
export { UriTemplateError } from "./uri-template/syntax.js";
export type { TemplateParams, TemplateVariables } from "./uri-template/uri-template.js";
export { toJsonSchema, validate, SchemaError } from "./schema/index.js";
export type { InferInput, InferOutput, JsonSchema, SchemaLike } from "./schema/index.js";
export { wwwAuthenticate } from "./auth/www-authenticate.js";
