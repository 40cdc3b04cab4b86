/**
 * @wisp/auth beyond Node: the same guarded server (test-support/runtime-fixture.ts:
 * `protectedResource` + `jwtVerifier`, built on `jose`) on real Bun, real Deno (binaries from
 * node_modules, as the adapters' tests start them) and real workerd (bundled with esbuild, run
 * through Miniflare by startWorkerd). Tokens are signed here; their JWKS is served by a local
 * node:http key server on 127.0.0.1 that each runtime fetches itself. On every runtime:
 * - GET /.well-known/oauth-protected-resource/mcp → the RFC 9728 metadata;
 * - POST without a token → 401 with the exact `WWW-Authenticate` challenge;
 * - POST with a valid JWT → 2025-11-25 initialize, then a tools/call whose result is the principal;
 * - a JWT for another audience → 401 `error="invalid_token"`.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorkerd } from "../../../adapters/cloudflare/src/workerd.js";
import { ACCEPT, type Json, LATEST, lastMessage } from "../../../test-kit/mcp.js";
import { type Running, freePort, root, startProcess, stop } from "../../../test-kit/process.js";
import { startKeyServer } from "./test-support/servers.js";

type KeyServer = Awaited<ReturnType<typeof startKeyServer>>;
/** A guarded server running somewhere, and how to stop it. */
interface Target {
  url: string;
  close: () => Promise<void>;
}
type Config = { PORT: string; RESOURCE: string; ISSUER: string; JWKS_URI: string };

const SUPPORT = "packages/auth/src/test-support";

function binary(name: "bun" | "deno"): string {
  const bin = join(root, "node_modules/.bin", name);
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm ci (${name} is a devDependency of @wisp/${name})`);
  return bin;
}

async function startBun(config: Config): Promise<Target> {
  const running: Running = await startProcess(binary("bun"), ["--conditions=wisp-source", `${SUPPORT}/runtime-fixture-bun.ts`], {
    env: { ...config, NO_COLOR: "1" },
    timeoutMs: 30_000,
    what: "bun runtime-fixture-bun.ts",
  });
  return { url: running.url, close: async () => void (await stop(running.child)) };
}

async function startDeno(config: Config): Promise<Target> {
  const running: Running = await startProcess(
    binary("deno"),
    ["run", "--cached-only", "--allow-net", "--allow-env", "--allow-read", `${SUPPORT}/runtime-fixture-deno.ts`],
    { env: { ...config, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" }, timeoutMs: 40_000, what: "deno run runtime-fixture-deno.ts" },
  );
  return { url: running.url, close: async () => void (await stop(running.child)) };
}

async function startOnWorkerd({ PORT, ...vars }: Config): Promise<Target> {
  const entry = fileURLToPath(new URL("./test-support/runtime-fixture-workerd.ts", import.meta.url));
  const running = await startWorkerd({ entry, port: Number(PORT), vars });
  return { url: running.url, close: () => running.close() };
}

function post(url: string, message: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: ACCEPT, ...headers },
    body: JSON.stringify(message),
    signal: AbortSignal.timeout(10_000),
  });
}

const INITIALIZE = { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: LATEST, capabilities: {}, clientInfo: { name: "auth-runtimes", version: "1" } } };

describe.each([
  { runtime: "Bun", start: startBun },
  { runtime: "Deno", start: startDeno },
  { runtime: "workerd", start: startOnWorkerd },
])("@wisp/auth on $runtime", ({ runtime, start }) => {
  let keys: KeyServer;
  let target: Target | undefined;
  let resource: string;
  let metadataUrl: string;

  beforeAll(async () => {
    keys = await startKeyServer();
    const port = await freePort();
    resource = `http://127.0.0.1:${port}/mcp`;
    metadataUrl = `http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp`;
    target = await start({ PORT: String(port), RESOURCE: resource, ISSUER: keys.issuer, JWKS_URI: keys.jwksUri });
  }, 60_000);

  afterAll(async () => {
    await target?.close();
    await keys?.close();
  });

  it(`serves http://127.0.0.1:<port>/mcp`, () => {
    expect(target!.url).toBe(resource);
  });

  it("GET /.well-known/oauth-protected-resource/mcp → the RFC 9728 metadata", async () => {
    const response = await fetch(metadataUrl, { signal: AbortSignal.timeout(10_000) });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(await response.json()).toEqual({
      resource,
      authorization_servers: [keys.issuer],
      scopes_supported: ["mcp:tools"],
      bearer_methods_supported: ["header"],
    });
  });

  it("POST without a token → 401 with the exact WWW-Authenticate challenge", async () => {
    const response = await post(target!.url, INITIALIZE);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(`Bearer resource_metadata="${metadataUrl}", scope="mcp:tools"`);
    expect(await response.json()).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32010, data: { resource_metadata: metadataUrl } } });
  });

  it("a valid JWT → 2025-11-25 initialize, then a tools/call that sees the principal (JWKS fetched by the runtime)", async () => {
    const hitsBefore = keys.hits();
    const token = await keys.sign({ aud: resource, sub: `user-on-${runtime}`, client_id: "runtime-client" });
    const authorization = { authorization: `Bearer ${token}` };

    const init = await post(target!.url, INITIALIZE, authorization);
    expect(init.status).toBe(200);
    const initialized = await lastMessage(init, "the initialize response");
    expect(initialized.result).toMatchObject({ protocolVersion: LATEST, serverInfo: { name: expect.stringMatching(/^auth-on-/) } });
    const sessionId = init.headers.get("mcp-session-id");
    expect(sessionId).toBeTruthy();
    expect(keys.hits()).toBeGreaterThan(hitsBefore);

    const session = { ...authorization, "mcp-session-id": sessionId!, "mcp-protocol-version": LATEST };
    const notified = await post(target!.url, { jsonrpc: "2.0", method: "notifications/initialized" }, session);
    expect(notified.status).toBe(202);
    await notified.body?.cancel();

    const called = await post(target!.url, { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "whoami", arguments: {} } }, session);
    expect(called.status).toBe(200);
    const message: Json = await lastMessage(called, "the tools/call response");
    expect(message.id).toBe(1);
    expect(message.result.isError ?? false).toBe(false);
    const seen = JSON.parse(message.result.content[0].text) as Json;
    expect(seen).toMatchObject({ principal: `user-on-${runtime}`, scopes: ["mcp:tools"], clientId: "runtime-client" });
    expect(seen.runtime).toMatch(runtime === "workerd" ? /^workerd$/ : new RegExp(`^${runtime} \\d`));
  });

  it("a JWT for another audience → 401 error=\"invalid_token\"", async () => {
    const token = await keys.sign({ aud: "https://elsewhere.example/mcp" });
    const response = await post(target!.url, INITIALIZE, { authorization: `Bearer ${token}` });
    expect(response.status).toBe(401);
    const challenge = response.headers.get("www-authenticate")!;
    expect(challenge).toMatch(/^Bearer error="invalid_token", error_description="[^"]+", /);
    expect(challenge).toContain(`resource_metadata="${metadataUrl}"`);
    expect(await response.json()).toMatchObject({ error: { code: -32010, data: { error: "invalid_token", resource_metadata: metadataUrl } } });
  });
});
