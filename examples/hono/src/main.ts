import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { createApp, parseTokens, server } from "./app.js";

const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOST ?? "127.0.0.1";
const app = createApp({ tokens: parseTokens(process.env.MCP_TOKENS), getConnInfo });

const http = serve({ fetch: app.fetch, port, hostname }, (info) => {
  console.log(`Wisp on Hono: MCP endpoint at http://${hostname}:${info.port}/mcp`);
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void server.close().then(() => http.close(() => process.exit(0)));
  });
}
