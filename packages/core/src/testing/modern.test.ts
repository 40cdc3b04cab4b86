/** The test client in the 2026-07-28 era: mirrored headers, `_meta`, input rounds, HTTP-level failures. */
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { createServer } from "../index.js";
import { McpTransportError, connect } from "./index.js";
import { encodeHeaderValue } from "./headers.js";

const SECRET = "a-test-secret-of-at-least-32-bytes!!";

function recorded() {
  const seen: Record<string, string | null>[] = [];
  const names = ["mcp-protocol-version", "mcp-method", "mcp-name", "mcp-param-region", "mcp-session-id"];
  const server = createServer({ name: "modern", version: "2", requestStateSecret: SECRET })
    .onRequest((request) => void seen.push(Object.fromEntries(names.map((name) => [name, request.header(name)]))))
    .tool(
      "forecast",
      { description: "Has a header-mirrored argument", input: { type: "object", properties: { region: { type: "string", "x-mcp-header": "Region" }, days: { type: "integer" } }, required: ["region"] } },
      (args) => `forecast for ${(args as { region: string }).region}`,
    )
    .tool("two_rounds", { description: "Asks twice" }, async (_args, ctx) => {
      const name = await ctx.elicit({ key: "name", message: "Name?", schema: v.object({ name: v.string() }) });
      const color = await ctx.elicit({ key: "color", message: "Color?", schema: v.object({ color: v.string() }) });
      return name.action === "accept" && color.action === "accept" ? `${name.content.name} likes ${color.content.color}` : "incomplete";
    })
    .tool("everything", { description: "Asks for all inputs at once" }, async (_args, ctx) => {
      const [who, said, roots] = await Promise.all([
        ctx.elicit({ message: "Who?", schema: v.object({ name: v.string() }) }),
        ctx.sample({ messages: [{ role: "user", content: { type: "text", text: "Hi" } }], maxTokens: 5 }),
        ctx.roots(),
      ]);
      return `${who.action === "accept" ? who.content.name : "?"} | ${(said.content as { text: string }).text} | ${roots.length} root(s)`;
    })
    .tool("chatty", { description: "Logs" }, (_args, ctx) => {
      ctx.log("debug", "detail");
      ctx.log("error", "problem");
      return "logged";
    })
    .resource("notes://Zürich", { name: "zurich" }, () => "Grüezi")
    .prompt("greet", { description: "Greets", args: v.object({ name: v.string() }) }, ({ name }) => `Hello ${name}`);
  return { server, seen };
}

describe("the test client in the 2026-07-28 era", () => {
  it("is the default era: server/discover instead of initialize, no session", async () => {
    const { server, seen } = recorded();
    const client = await connect(server);
    expect(client.protocolVersion).toBe("2026-07-28");
    expect(client.sessionId).toBeUndefined();
    expect(seen).toEqual([{ "mcp-protocol-version": "2026-07-28", "mcp-method": "server/discover", "mcp-name": null, "mcp-param-region": null, "mcp-session-id": null }]);
    const discovered = await client.request("server/discover");
    expect(discovered).toMatchObject({ resultType: "complete", supportedVersions: ["2026-07-28"] }); // request() keeps the wire fields
    await client.close(); // nothing to end
    await expect(client.listTools()).rejects.toBeInstanceOf(McpTransportError);
  });

  it("mirrors Mcp-Method, Mcp-Name and Mcp-Param-* as a real client does, base64 where a header cannot carry the value", async () => {
    const { server, seen } = recorded();
    const client = await connect(server);
    expect((await client.callTool("forecast", { region: "Zürich", days: 3 })).content).toEqual([{ type: "text", text: "forecast for Zürich" }]);
    expect((await client.callTool("forecast", { region: "eu-west" })).content).toEqual([{ type: "text", text: "forecast for eu-west" }]);
    expect((await client.readResource("notes://Zürich")).contents).toEqual([{ uri: "notes://Zürich", text: "Grüezi" }]);
    await client.getPrompt("greet", { name: "Ada" });
    expect(seen.slice(1).map((h) => [h["mcp-method"], h["mcp-name"], h["mcp-param-region"]])).toEqual([
      ["tools/call", "forecast", "=?base64?WsO8cmljaA==?="],
      ["tools/call", "forecast", "eu-west"],
      ["resources/read", "=?base64?bm90ZXM6Ly9aw7xyaWNo?=", null],
      ["prompts/get", "greet", null],
    ]);
  });

  it("encodes header values the way the official clients do", () => {
    expect(encodeHeaderValue("plain-value 42")).toBe("plain-value 42");
    expect(encodeHeaderValue(" padded")).toBe("=?base64?IHBhZGRlZA==?=");
    expect(encodeHeaderValue("")).toBe("=?base64??=");
    expect(encodeHeaderValue("=?base64?SGk=?=")).toBe("=?base64?PT9iYXNlNjQ/U0drPT89?="); // looks wrapped: wrapped again
  });

  it("answers input_required rounds until the call completes, earlier answers riding in requestState", async () => {
    const { server } = recorded();
    const asked: string[] = [];
    const client = await connect(server, {
      onElicit: (request) => {
        asked.push(request.message);
        return { action: "accept", content: request.message === "Name?" ? { name: "Ada" } : { color: "blue" } };
      },
    });
    expect((await client.callTool("two_rounds")).content).toEqual([{ type: "text", text: "Ada likes blue" }]);
    // Each round runs the handler again from the top: the first question is asked once, answered from the state after.
    expect(asked).toEqual(["Name?", "Color?"]);
  });

  it("answers several input requests of one round: elicitation, sampling and roots", async () => {
    const { server } = recorded();
    const client = await connect(server, {
      onElicit: () => ({ action: "accept", content: { name: "Ada" } }),
      onSample: () => ({ role: "assistant", model: "m", content: { type: "text", text: "hello" } }),
      roots: [{ uri: "file:///a" }, { uri: "file:///b" }],
    });
    expect((await client.callTool("everything")).content).toEqual([{ type: "text", text: "Ada | hello | 2 root(s)" }]);
  });

  it("asks for logs only when told to: onLog alone means every level, logLevel raises the bar", async () => {
    const { server } = recorded();
    const quiet = await connect(server);
    expect((await quiet.callTool("chatty")).content).toEqual([{ type: "text", text: "logged" }]);
    const all: unknown[] = [];
    await (await connect(server, { onLog: (m) => all.push(m.data) })).callTool("chatty");
    expect(all).toEqual(["detail", "problem"]);
    const errors: unknown[] = [];
    await (await connect(server, { logLevel: "error", onLog: (m) => errors.push(m.data) })).callTool("chatty");
    expect(errors).toEqual(["problem"]);
  });

  it("passes host facts and headers to every request; an HTTP answer without JSON-RPC is an McpTransportError", async () => {
    const server = createServer({ name: "guarded", version: "1" })
      .onRequest((request) => (request.header("authorization") === "Bearer ok" ? undefined : new Response(null, { status: 401, headers: { "www-authenticate": "Bearer" } })))
      .tool("whoami", { description: "Says who is calling" }, (_args, ctx) => `${ctx.auth?.principal} from ${ctx.transport.type === "http" ? ctx.transport.remoteIp : "?"}`);
    const refused = await connect(server).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(McpTransportError);
    expect(refused).toMatchObject({ status: 401 });
    expect((refused as McpTransportError).headers?.get("www-authenticate")).toBe("Bearer");
    const client = await connect(server, { headers: { authorization: "Bearer ok" }, host: { auth: { principal: "ada" }, remoteIp: "203.0.113.7" } });
    expect((await client.callTool("whoami")).content).toEqual([{ type: "text", text: "ada from 203.0.113.7" }]);
  });
});
