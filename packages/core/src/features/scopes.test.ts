/**
 * Per-feature scopes: a call whose token lacks a tool's, prompt's or resource's `scopes` is
 * refused before it runs, with 403 and a step-up challenge (MCP authorization, RFC 6750).
 */
import { describe, expect, it } from "vitest";
import { createServer } from "../create-server.js";
import type { HostContext } from "../context/host.js";
import { ENDPOINT, JSON_AND_SSE, post } from "../test-support/requests.js";

const METADATA = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp";
const caller = (scopes: string[]): HostContext => ({ auth: { principal: "ada", scopes }, resourceMetadata: METADATA });

function server() {
  return createServer({ name: "scoped", version: "1" })
    .tool("read_notes", { description: "Reads", scopes: ["notes:read"] }, () => "notes")
    .tool("delete_notes", { description: "Deletes", scopes: ["notes:read", "notes:admin"] }, () => "deleted")
    .tool("open", { description: "Needs nothing" }, () => "open")
    .prompt("admin_prompt", { description: "Admins", scopes: ["notes:admin"] }, () => "hi")
    .resource("notes://secret", { name: "secret", scopes: ["notes:admin"] }, () => "s")
    .resourceTemplate("notes://{id}", { name: "note", scopes: ["notes:read"] }, ({ params }) => `note ${params.id}`);
}

const modern = (id: number, method: string, params: Record<string, unknown>, host: HostContext) =>
  server().handle(
    new Request(ENDPOINT, {
      method: "POST",
      headers: { ...JSON_AND_SSE, "mcp-protocol-version": "2026-07-28", "mcp-method": method, ...(params.name ? { "mcp-name": String(params.name) } : {}), ...(params.uri ? { "mcp-name": String(params.uri) } : {}) },
      body: JSON.stringify({ jsonrpc: "2.0", id, method, params: { ...params, _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} } } }),
    }),
    host,
  );

describe("per-feature scopes", () => {
  it("2025: a tool call without the tool's scopes gets 403 with a challenge naming every scope to ask for; with them it runs", async () => {
    const s = server();
    const readOnly = caller(["mcp:tools", "notes:read"]);
    const init = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {} } };
    const sessionId = (await post(s, init, {}, readOnly)).headers.get("mcp-session-id")!;
    const refused = await post(s, { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "delete_notes" } }, { "mcp-session-id": sessionId }, readOnly);
    expect(refused.status).toBe(403);
    expect(refused.headers.get("www-authenticate")).toBe(`Bearer error="insufficient_scope", resource_metadata="${METADATA}", scope="mcp:tools notes:read notes:admin"`);
    expect(await refused.json()).toEqual({
      jsonrpc: "2.0",
      id: 2,
      error: { code: -32011, message: "Forbidden: this call needs the scopes notes:read, notes:admin; ask the authorization server for them", data: { requiredScopes: ["notes:read", "notes:admin"] } },
    });
    const allowed = await post(s, { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "read_notes" } }, { "mcp-session-id": sessionId }, readOnly);
    expect((await allowed.json()).result.content[0].text).toBe("notes");
    const listed = await (await post(s, { jsonrpc: "2.0", id: 4, method: "tools/list" }, { "mcp-session-id": sessionId }, readOnly)).json();
    expect(listed.result.tools.map((t: { name: string }) => t.name)).toEqual(["read_notes", "delete_notes", "open"]); // lists show what exists
  });

  it("2025: prompts and resources (fixed and templated) are checked the same way; a feature without scopes needs none", async () => {
    const s = server();
    const nobody = caller([]);
    const init = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {} } };
    const own = (await post(s, init, {}, nobody)).headers.get("mcp-session-id")!;
    const status = async (method: string, params: Record<string, unknown>) =>
      (await post(s, { jsonrpc: "2.0", id: 9, method, params }, { "mcp-session-id": own }, nobody)).status;
    expect(await status("prompts/get", { name: "admin_prompt" })).toBe(403);
    expect(await status("resources/read", { uri: "notes://secret" })).toBe(403);
    expect(await status("resources/read", { uri: "notes://42" })).toBe(403);
    expect(await status("tools/call", { name: "open" })).toBe(200);
  });

  it("2025-03-26 batch: a refused item is that item's JSON-RPC error; the others run", async () => {
    const s = server();
    const readOnly = caller(["notes:read"]);
    const init = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-03-26", capabilities: {} } };
    const sessionId = (await post(s, init, {}, readOnly)).headers.get("mcp-session-id")!;
    const response = await post(
      s,
      [
        { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "delete_notes" } },
        { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "read_notes" } },
      ],
      { "mcp-session-id": sessionId, "mcp-protocol-version": "2025-03-26" },
      readOnly,
    );
    expect(response.status).toBe(200);
    const [refused, allowed] = await response.json();
    expect(refused).toMatchObject({ id: 2, error: { code: -32011, data: { requiredScopes: ["notes:read", "notes:admin"] } } });
    expect(allowed.result.content[0].text).toBe("notes");
  });

  it("2026-07-28: the same 403 and challenge, with the request's id; with the scopes the call runs", async () => {
    const refused = await modern(7, "tools/call", { name: "delete_notes", arguments: {} }, caller(["notes:read"]));
    expect(refused.status).toBe(403);
    expect(refused.headers.get("www-authenticate")).toBe(`Bearer error="insufficient_scope", resource_metadata="${METADATA}", scope="notes:read notes:admin"`);
    expect((await refused.json()).error.code).toBe(-32011);
    const allowed = await modern(8, "tools/call", { name: "delete_notes", arguments: {} }, caller(["notes:read", "notes:admin"]));
    expect(allowed.status).toBe(200);
    expect((await allowed.json()).result.content[0].text).toBe("deleted");
  });
});
