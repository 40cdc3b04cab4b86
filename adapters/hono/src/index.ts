export { mcp, type HonoMcpOptions } from "./mcp.js";
