export { serve, type RunningServer, type ServeOptions } from "./serve.js";
export { toNodeHandler, type NodeHandlerOptions, type NodeListener } from "./handler.js";
