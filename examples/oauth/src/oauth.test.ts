/**
 * examples/oauth as a user runs it: `npm run example:oauth` (a real process tree: npm → tsx → node),
 * then over HTTP on 127.0.0.1: the 401 challenge, the protected resource metadata, the authorization
 * server metadata, the v1 SDK client's whole OAuth flow (auto-approved as "alice"), the greet tool;
 * then SIGTERM to npm by PID, after which npm exits and the example's own process is gone.
 */
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AutoApproveOAuthProvider } from "../../../packages/auth/src/test-support/oauth.js";
import { type Running, sleep, startProcess, stop, withTimeout } from "../../../test-kit/process.js";

let example: Running | undefined;

beforeAll(async () => {
  example = await startProcess("npm", ["run", "--silent", "example:oauth"], {
    env: { PORT: "0", NO_COLOR: "1" },
    timeoutMs: 60_000,
    what: "npm run example:oauth",
  });
}, 90_000);

afterAll(async () => {
  if (example) await stop(example.child); // only when a test failed before the SIGTERM below
});

/** Resolves once the process `pid` no longer exists; false after `ms`. */
async function gone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
}

describe("examples/oauth (npm run example:oauth)", () => {
  it("prints the MCP URL; a bare request gets 401 with the metadata URL; the metadata names the authorization server", async () => {
    const url = example!.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const origin = new URL(url).origin;
    const bare = await fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: "{}", signal: AbortSignal.timeout(5_000) });
    expect(bare.status).toBe(401);
    expect(bare.headers.get("www-authenticate")).toBe(`Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp", scope="mcp:tools"`);

    const prm = (await (await fetch(`${origin}/.well-known/oauth-protected-resource/mcp`, { signal: AbortSignal.timeout(5_000) })).json()) as { resource: string; authorization_servers: string[] };
    expect(prm).toMatchObject({ resource: url, scopes_supported: ["mcp:tools"] });
    expect(prm.authorization_servers).toHaveLength(1);
    const issuer = prm.authorization_servers[0]!;
    expect(issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(example!.output()).toContain(`authorization server (development only, auto-approves as "alice"): ${issuer}`);

    const asMetadata = (await (await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5_000) })).json()) as Record<string, unknown>;
    expect(asMetadata).toMatchObject({ issuer, registration_endpoint: `${issuer}/reg`, jwks_uri: `${issuer}/jwks`, code_challenge_methods_supported: ["S256"] });
  });

  it("the v1 SDK client authorizes (registration, code + PKCE + resource) and greet sees alice", async () => {
    const url = new URL(example!.url);
    const provider = new AutoApproveOAuthProvider("http://127.0.0.1:1/callback", "example-test");
    const first = new Client({ name: "example-test", version: "1.0.0" });
    const error = await withTimeout(first.connect(new StreamableHTTPClientTransport(url, { authProvider: provider })).then(() => undefined, (e: unknown) => e), 15_000, "first connect");
    expect(error).toBeInstanceOf(UnauthorizedError);
    await first.close();
    expect(provider.trips[0]!.visited[0]!.searchParams.get("resource")).toBe(url.href);

    const transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
    await withTimeout(transport.finishAuth(provider.takeCallback().searchParams.get("code")!), 5_000, "finishAuth");
    expect(provider.accessToken).toBeTruthy();

    const client = new Client({ name: "example-test", version: "1.0.0" });
    try {
      await withTimeout(client.connect(new StreamableHTTPClientTransport(url, { authProvider: provider })), 10_000, "initialize");
      const result = await withTimeout(client.callTool({ name: "greet", arguments: {} }), 10_000, "tools/call greet");
      expect(result.content).toEqual([{ type: "text", text: "Hello, alice! Your scopes: mcp:tools." }]);
    } finally {
      await client.close();
    }
  });

  it("SIGTERM stops it: npm exits and the example's process is gone", async () => {
    const child = example!.child;
    const pid = Number(/oauth: pid (\d+)/.exec(example!.output())?.[1]);
    expect(pid).toBeGreaterThan(0);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    const code = await withTimeout(exited, 10_000, "npm run example:oauth to exit after SIGTERM");
    expect(code).toBe(0);
    expect(await gone(pid, 5_000)).toBe(true);
    expect(example!.output()).toContain("oauth: SIGTERM: stopping");
    example = undefined;
  });
});
