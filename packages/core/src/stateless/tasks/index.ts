/**
 * The 2026 tasks extension, loaded with import() by post.ts on the first
 * task-capable call or tasks/* request: a server without task tools never carries it.
 */
export { runAsTask } from "./run.js";
export { taskMethod } from "./methods.js";
