export { createNextHandler, type NextHandlerOptions, type NextHandlers, type NextRouteHandler } from "./handler.js";
