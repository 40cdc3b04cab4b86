/**
 * npm run example:oauth: a development-only authorization server and a Wisp MCP server that
 * trusts it, both on 127.0.0.1. SIGINT/SIGTERM close both and exit.
 *   PORT     the MCP server's port (default 3002; 0 = any free port)
 *   AS_PORT  the authorization server's port (default: any free port)
 */
import { createServer as createHttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { toNodeHandler } from "@wisp/node";
import { ACCOUNT, startDevAuthorizationServer } from "./authorization-server.js";
import { SCOPES, createOAuthServer } from "./server.js";

const say = (line: string) => console.error(`oauth: ${line}`);
say(`pid ${process.pid}`);

// The MCP server's socket first: the resource URI (and so the token audience) depends on its port.
let listener: ReturnType<typeof toNodeHandler> = (_req, res) => void res.writeHead(503).end();
const http = createHttpServer((req, res) => listener(req, res));
await new Promise<void>((resolve, reject) => {
  http.once("error", reject);
  http.listen(Number(process.env.PORT ?? 3002), "127.0.0.1", () => resolve());
});
const resource = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;

const as = await startDevAuthorizationServer({ resource, scopes: SCOPES, port: process.env.AS_PORT ? Number(process.env.AS_PORT) : 0 });
// toNodeHandler hands every path to Wisp, so protectedResource also answers /.well-known/oauth-protected-resource[/mcp].
listener = toNodeHandler(createOAuthServer({ resource, issuer: as.issuer, jwksUri: as.jwksUri }), { loopback: true });

say(`authorization server (development only, auto-approves as "${ACCOUNT}"): ${as.issuer}`);
say(`protected resource metadata: ${new URL("/.well-known/oauth-protected-resource/mcp", resource)}`);
say(`connect an MCP client with OAuth support, e.g. npx @modelcontextprotocol/inspector → Streamable HTTP → ${resource}`);
console.log(`listening on ${resource}`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  say(`${signal}: stopping`);
  const timer = setTimeout(() => process.exit(1), 5_000);
  http.closeAllConnections();
  await Promise.all([new Promise<void>((resolve) => http.close(() => resolve())), as.close()]);
  clearTimeout(timer);
  process.exit(0);
}
process.once("SIGINT", () => void shutdown("SIGINT"));
process.once("SIGTERM", () => void shutdown("SIGTERM"));
