import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

/**
 * The 2025 session leg loads with import() on the first 2025-era request (create-server.ts);
 * resources, prompts and completion on the first call of one of their methods (features/methods.ts);
 * subscriptions/listen on its first request; the URI template matcher when a template is registered.
 * A copy of the sources with such a module moved away stands for a broken install: the request
 * gets a JSON-RPC error a client can act on, other requests are served meanwhile, and once the
 * file is back the next request loads it (the failure is not cached: Node and Bun import a module
 * again once it can be loaded). It runs in a Node
 * process of its own: the test runner's module loader would remember the failed import.
 */

const SCRIPT = `
import { renameSync } from "node:fs";
import { createServer } from "./src/index.ts";
const entry = new URL("./src/sessions/handlers.ts", import.meta.url);
const away = new URL("./src/sessions/handlers.ts.away", import.meta.url);
const headers = { host: "127.0.0.1:3000", "content-type": "application/json", accept: "application/json, text/event-stream" };
const post = (extra, body) => new Request("http://127.0.0.1:3000/mcp", { method: "POST", headers: { ...headers, ...extra }, body: JSON.stringify(body) });
const initialize = () => post({}, { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } } });
const call2026 = (id) => post(
  { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "ping" },
  { jsonrpc: "2.0", id, method: "tools/call", params: { name: "ping", arguments: {}, _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} } } },
);
const answer = async (response) => ({ status: response.status, session: response.headers.get("mcp-session-id"), body: await response.json() });

const server = createServer({ name: "lazy", version: "1.0.0" })
  .tool("ping", { description: "Answers pong" }, () => "pong")
  .resource("note://1", { name: "note" }, () => "one");
renameSync(entry, away);
const broken = await answer(await server.handle(initialize()));
// With legacySse, every GET and POST is first asked whether it is of the 2024-11-05 transport:
// a 2026 call must not need the session code for that answer.
const legacyServer = createServer({ name: "legacy", version: "1.0.0", legacySse: true }).tool("ping", { description: "Answers pong" }, () => "pong");
const legacyModern = await answer(await legacyServer.handle(call2026(5)));
const legacyGet = await answer(await legacyServer.handle(new Request("http://127.0.0.1:3000/mcp", { method: "GET", headers: { host: "127.0.0.1:3000", accept: "text/event-stream" } })));
// A server closed before its first 2025 request does not load the session code for one.
const closedServer = createServer({ name: "closed", version: "1.0.0" });
await closedServer.close({ graceMs: 0 });
const closedInitialize = (await closedServer.handle(initialize())).status;
const modern = await answer(await server.handle(call2026(2)));
renameSync(away, entry);
const fixed = await answer(await server.handle(initialize()));
// The same for a feature loaded on its first call (resources), on the 2026 leg.
const resources = new URL("./src/features/resources.ts", import.meta.url);
const resourcesAway = new URL("./src/features/resources.ts.away", import.meta.url);
const read = (id) => post(
  { "mcp-protocol-version": "2026-07-28", "mcp-method": "resources/read", "mcp-name": "note://1" },
  { jsonrpc: "2.0", id, method: "resources/read", params: { uri: "note://1", _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} } } },
);
renameSync(resources, resourcesAway);
const readBroken = await answer(await server.handle(read(3)));
renameSync(resourcesAway, resources);
const readFixed = await answer(await server.handle(read(4)));
// subscriptions/listen loads on its first request.
const listenModule = new URL("./src/stateless/listen.ts", import.meta.url);
const listenAway = new URL("./src/stateless/listen.ts.away", import.meta.url);
const listenRequest = (id) => post(
  { "mcp-protocol-version": "2026-07-28", "mcp-method": "subscriptions/listen" },
  { jsonrpc: "2.0", id, method: "subscriptions/listen", params: { notifications: { toolsListChanged: true }, _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} } } },
);
renameSync(listenModule, listenAway);
const listenBroken = await answer(await server.handle(listenRequest(9)));
renameSync(listenAway, listenModule);
const listening = await server.handle(listenRequest(10));
const listenFixed = { status: listening.status, type: listening.headers.get("content-type") };
await listening.body.cancel();
await server.close({ graceMs: 0 });
// The URI template matcher loads when a template is registered; every POST waits for it.
const compiler = new URL("./src/server/template-compiler.ts", import.meta.url);
const compilerAway = new URL("./src/server/template-compiler.ts.away", import.meta.url);
const readUri = (id, uri) => post(
  { "mcp-protocol-version": "2026-07-28", "mcp-method": "resources/read", "mcp-name": uri },
  { jsonrpc: "2.0", id, method: "resources/read", params: { uri, _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} } } },
);
renameSync(compiler, compilerAway);
const templated = createServer({ name: "templated", version: "1.0.0" })
  .tool("ping", { description: "Answers pong" }, () => "pong")
  .resourceTemplate("note://{id}", { name: "note" }, ({ params }) => \`note \${params.id}\`);
const templatePing = await answer(await templated.handle(call2026(6)));
const templateBroken = await answer(await templated.handle(readUri(7, "note://7")));
// In a 2025-03-26 batch, only the read's item fails.
const batchSession = (await templated.handle(post({}, { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-03-26", capabilities: {}, clientInfo: { name: "t", version: "1" } } }))).headers.get("mcp-session-id");
const inSession = { "mcp-session-id": batchSession, "mcp-protocol-version": "2025-03-26" };
const templateBatch = await answer(await templated.handle(post(inSession, [
  { jsonrpc: "2.0", id: 11, method: "resources/read", params: { uri: "note://11" } },
  { jsonrpc: "2.0", id: 12, method: "tools/call", params: { name: "ping", arguments: {} } },
])));
renameSync(compilerAway, compiler);
const templateFixed = await answer(await templated.handle(readUri(8, "note://8")));
await templated.close({ graceMs: 0 });
process.stdout.write(JSON.stringify({ broken, modern, legacyModern, legacyGet, closedInitialize, fixed, readBroken, readFixed, listenBroken, listenFixed, templatePing, templateBroken, templateBatch, templateFixed }));
`;

/** A template registered while a read is under way, in a process where the matcher never loaded yet. */
const RACE_SCRIPT = `
import { createServer } from "./src/index.ts";
const headers = { host: "127.0.0.1:3000", "content-type": "application/json", accept: "application/json, text/event-stream" };
const read = (id, uri) => new Request("http://127.0.0.1:3000/mcp", {
  method: "POST",
  headers: { ...headers, "mcp-protocol-version": "2026-07-28", "mcp-method": "resources/read", "mcp-name": uri },
  body: JSON.stringify({ jsonrpc: "2.0", id, method: "resources/read", params: { uri, _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} } } }),
});
const server = createServer({ name: "race", version: "1.0.0" }).resource("fixed://1", { name: "fixed" }, () => "fixed");
const pending = server.handle(read(1, "race://7"));
server.resourceTemplate("race://{id}", { name: "race", scopes: [] }, ({ params }) => \`race \${params.id}\`);
const response = await pending;
process.stdout.write(JSON.stringify({ status: response.status, body: await response.json() }));
await server.close({ graceMs: 0 });
`;

describe("code loaded on first use", () => {
  it("answers -32603 when it cannot be loaded, serves the rest meanwhile, and loads on a later request", { timeout: 90_000 }, async () => {
    // Under node_modules, so that the copy resolves tsx, valibot and nanoid like the sources do.
    const cache = join(import.meta.dirname, "../../../node_modules/.cache");
    mkdirSync(cache, { recursive: true });
    const copy = mkdtempSync(join(cache, "wisp-lazy-leg-"));
    try {
      cpSync(import.meta.dirname, join(copy, "src"), { recursive: true, filter: (path) => !path.endsWith(".test.ts") });
      writeFileSync(join(copy, "package.json"), JSON.stringify({ type: "module" }));
      writeFileSync(join(copy, "run.ts"), SCRIPT);
      const { stdout, stderr } = await promisify(execFile)(process.execPath, ["--import", "tsx", join(copy, "run.ts")], { cwd: copy, timeout: 80_000 }).catch(
        (error: { message: string; stderr?: string }) => {
          throw new Error(`the script failed: ${error.message}\n${error.stderr ?? ""}`);
        },
      );
      const { broken, modern, legacyModern, legacyGet, closedInitialize, fixed, readBroken, readFixed, listenBroken, listenFixed, templatePing, templateBroken, templateBatch, templateFixed } = JSON.parse(stdout);
      expect(broken.status).toBe(500);
      expect(broken.session).toBeNull();
      expect(broken.body).toMatchObject({ jsonrpc: "2.0", id: 1, error: { code: -32603, message: expect.stringContaining("2025 session support could not be loaded") } });
      // One failed load for the initialize, one for the legacy GET: none for the 2026 calls.
      expect(stderr.split("[wisp] the 2025 session code could not be loaded").length - 1).toBe(2);
      expect(modern.status).toBe(200);
      expect(modern.body.result.content).toEqual([{ type: "text", text: "pong" }]);
      expect(legacyModern.status).toBe(200);
      expect(legacyModern.body.result.content).toEqual([{ type: "text", text: "pong" }]);
      expect(legacyGet.status).toBe(500);
      expect(legacyGet.body).toMatchObject({ id: null, error: { code: -32603 } });
      expect(closedInitialize).toBe(503);
      expect(fixed.status).toBe(200);
      expect(fixed.session).toMatch(/\S+/);
      expect(fixed.body.result.protocolVersion).toBe("2025-11-25");
      // resources/* load on their first call: a failed load fails that call only.
      expect(readBroken.body).toMatchObject({ jsonrpc: "2.0", id: 3, error: { code: -32603 } });
      expect(readFixed.status).toBe(200);
      expect(readFixed.body.result.contents).toEqual([{ uri: "note://1", text: "one" }]);
      expect(listenBroken.status).toBe(500);
      expect(listenBroken.body).toMatchObject({ jsonrpc: "2.0", id: 9, error: { code: -32603, message: expect.stringContaining("subscriptions/listen could not be loaded") } });
      expect(listenFixed).toEqual({ status: 200, type: "text/event-stream" });
      // Without the matcher, a template read fails closed (the scope check cannot match); other calls are served.
      expect(templatePing.body.result.content).toEqual([{ type: "text", text: "pong" }]);
      expect(templateBroken.status).toBe(500);
      expect(templateBroken.body).toMatchObject({ jsonrpc: "2.0", id: 7, error: { code: -32603, message: expect.stringContaining("URI template matcher could not be loaded") } });
      expect(templateBatch.status).toBe(200);
      expect(templateBatch.body).toMatchObject([
        { id: 11, error: { code: -32603, message: expect.stringContaining("URI template matcher could not be loaded") } },
        { id: 12, result: { content: [{ type: "text", text: "pong" }] } },
      ]);
      // Reported once per run of failures, not by every request that tries again.
      expect(stderr.split("[wisp] the URI template matcher could not be loaded").length - 1).toBe(1);
      expect(stderr).toContain("[wisp] subscriptions/listen could not be loaded");
      expect(templateFixed.status).toBe(200);
      expect(templateFixed.body.result.contents).toEqual([{ uri: "note://8", text: "note 8" }]);
      // A read already under way when the first template is registered waits for its matcher.
      writeFileSync(join(copy, "race.ts"), RACE_SCRIPT);
      const race = await promisify(execFile)(process.execPath, ["--import", "tsx", join(copy, "race.ts")], { cwd: copy, timeout: 80_000 });
      expect(JSON.parse(race.stdout)).toMatchObject({ status: 200, body: { jsonrpc: "2.0", id: 1, result: { contents: [{ uri: "race://7", text: "race 7" }], resultType: "complete" } } });
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
