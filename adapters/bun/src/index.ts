export { serve, type RunningServer, type ServeOptions } from "./serve.js";
export { toBunHandler, type BunFetchHandler, type BunHandlerOptions } from "./handler.js";
export type { BunServer, BunServeOptions, BunSocketAddress } from "./types.js";
