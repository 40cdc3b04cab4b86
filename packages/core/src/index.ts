export { createServer } from "./create-server.js";
export * from "./api.js";
