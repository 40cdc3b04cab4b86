export { serve, type RunningServer, type ServeOptions } from "./serve.js";
export { toDenoHandler, type DenoHandler, type DenoHandlerOptions } from "./handler.js";
export type { DenoHttpServer, DenoNetAddr, DenoServeHandlerInfo } from "./types.js";
