export { serveStdio, type StdioOptions, type StdioServer } from "./stdio.js";
