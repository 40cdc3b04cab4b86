/**
 * `resources/list` entries made by a template's `list()`, and a template handler's "no such
 * resource", on both legs through `server.handle(Request)`. The official clients over real HTTP:
 * examples/quickstart/src/notes.test.ts.
 */
import { UriTemplateError } from "@wisp/core";
import { UriTemplate } from "@wisp/core/uri-template";
import { describe, expect, it } from "vitest";
import { createServer } from "../create-server.js";
import { ErrorCode, McpError } from "../protocol/errors.js";
import { ENDPOINT, JSON_AND_SSE, call, initialize, parseResponse } from "../test-support/requests.js";

const MODERN = "2026-07-28";

function server() {
  return createServer({ name: "resources", version: "1" })
    .resource("docs://index", { name: "index", title: "Index" }, () => "all docs")
    .resourceTemplate(
      "notes://{id}",
      {
        name: "note",
        title: "A note",
        description: "One note by id",
        mimeType: "text/markdown",
        size: 42,
        icons: [{ src: "https://example.com/note.png" }],
        annotations: { audience: ["user"], priority: 0.5 },
        _meta: { "example.com/kind": "template" },
        list: () => [
          { uri: "notes://1", name: "Groceries" },
          { uri: "notes://2", name: "Ideas", title: "Ideas for the weekend", description: "Mine", mimeType: "text/plain", annotations: { priority: 1 } },
          // No name: every listed resource needs one, so the template's stands in.
          { uri: "notes://3", scopes: ["notes:read"], cache: { ttlMs: 5 } },
        ],
      },
      ({ params }) => {
        if (params.id === "missing") throw new McpError(ErrorCode.ResourceNotFound, "No note with id missing");
        if (params.id === "with-data") throw new McpError(ErrorCode.ResourceNotFound, "Gone", { uri: "notes://with-data", deletedAt: 1 });
        return `note ${params.id}`;
      },
    );
}

const LISTED = [
  { uri: "docs://index", name: "index", title: "Index" },
  { uri: "notes://1", name: "Groceries", mimeType: "text/markdown" },
  { uri: "notes://2", name: "Ideas", title: "Ideas for the weekend", description: "Mine", mimeType: "text/plain", annotations: { priority: 1 } },
  { uri: "notes://3", name: "note", mimeType: "text/markdown" },
];

const modernMeta = { "io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {} };

/** One 2026-07-28 request with the headers the revision asks for. */
async function modern(s: ReturnType<typeof server>, method: string, params: Record<string, unknown> = {}) {
  const headers: Record<string, string> = { ...JSON_AND_SSE, "mcp-protocol-version": MODERN, "mcp-method": method };
  if (typeof params.uri === "string") headers["mcp-name"] = params.uri;
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: { ...params, _meta: modernMeta } });
  return parseResponse(await s.handle(new Request(ENDPOINT, { method: "POST", headers, body })));
}

describe("resources/list: items of a template's list()", () => {
  it("2025: keep their own fields; take only name (when missing) and mimeType from the template", async () => {
    const s = server();
    const sessionId = await initialize(s);
    expect((await call(s, sessionId, "resources/list")).body.result.resources).toEqual(LISTED);
  });

  it("2026-07-28: the same entries", async () => {
    expect((await modern(server(), "resources/list")).body.result.resources).toEqual(LISTED);
  });

  it("the template itself is still listed with everything it declares", async () => {
    const s = server();
    const sessionId = await initialize(s);
    expect((await call(s, sessionId, "resources/templates/list")).body.result.resourceTemplates).toEqual([
      {
        uriTemplate: "notes://{id}",
        name: "note",
        title: "A note",
        description: "One note by id",
        mimeType: "text/markdown",
        size: 42,
        icons: [{ src: "https://example.com/note.png" }],
        annotations: { audience: ["user"], priority: 0.5 },
        _meta: { "example.com/kind": "template" },
      },
    ]);
  });
});

describe("resources/read: a template handler that finds nothing throws ErrorCode.ResourceNotFound", () => {
  it("2025: -32002 with data.uri, as for a URI no template matches", async () => {
    const s = server();
    const sessionId = await initialize(s);
    expect((await call(s, sessionId, "resources/read", { uri: "notes://missing" })).body.error).toEqual({ code: -32002, message: "No note with id missing", data: { uri: "notes://missing" } });
    expect((await call(s, sessionId, "resources/read", { uri: "elsewhere://x" })).body.error).toEqual({ code: -32002, message: "Resource not found: elsewhere://x", data: { uri: "elsewhere://x" } });
    // Data the handler gave is kept.
    expect((await call(s, sessionId, "resources/read", { uri: "notes://with-data" })).body.error).toEqual({ code: -32002, message: "Gone", data: { uri: "notes://with-data", deletedAt: 1 } });
    expect((await call(s, sessionId, "resources/read", { uri: "notes://1" })).body.result.contents).toEqual([{ uri: "notes://1", mimeType: "text/markdown", text: "note 1" }]);
  });

  it("2026-07-28: -32602 with data.uri, the revision's code for a missing resource", async () => {
    const s = server();
    expect((await modern(s, "resources/read", { uri: "notes://missing" })).body.error).toEqual({ code: -32602, message: "No note with id missing", data: { uri: "notes://missing" } });
    expect((await modern(s, "resources/read", { uri: "elsewhere://x" })).body.error).toEqual({ code: -32602, message: "Resource not found: elsewhere://x", data: { uri: "elsewhere://x" } });
  });
});

describe("resource templates: checked when registered, matched by code loaded on demand", () => {
  it("a malformed template throws UriTemplateError (from @wisp/core) at registration, and nothing is registered", () => {
    const s = createServer({ name: "templates", version: "1" });
    let thrown: unknown;
    try {
      s.resourceTemplate("notes://{id", { name: "note" }, () => "");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UriTemplateError);
    expect(String((thrown as Error).message)).toMatch(/unclosed expression/);
    expect(() => s.resourceTemplate("notes://{=x}", { name: "note" }, () => "")).toThrow(UriTemplateError);
    expect(() => s.resourceTemplate(42 as unknown as string, { name: "note" }, () => "")).toThrow(new TypeError("URI template must be a string"));
    expect(s.templates.size).toBe(0);
  });

  it("a template registered after the server answered requests matches on the next one, on both legs", async () => {
    const s = createServer({ name: "templates", version: "1" }).resource("docs://index", { name: "index" }, () => "all docs");
    const sessionId = await initialize(s);
    expect((await modern(s, "resources/read", { uri: "docs://index" })).body.result.contents).toEqual([{ uri: "docs://index", text: "all docs" }]);
    s.resourceTemplate("later://{a}/{+rest}", { name: "later", scopes: [] }, ({ params }) => `${params.a}|${params.rest}`);
    expect((await modern(s, "resources/read", { uri: "later://x/y/z" })).body.result.contents).toEqual([{ uri: "later://x/y/z", text: "x|y/z" }]);
    expect((await call(s, sessionId, "resources/read", { uri: "later://1/2" })).body.result.contents).toEqual([{ uri: "later://1/2", text: "1|2" }]);
  });

  it("UriTemplate itself is exported from @wisp/core/uri-template", () => {
    const template = new UriTemplate("notes://{id}{?q}");
    expect(template.match("notes://7?q=a%20b")).toEqual({ id: "7", q: "a b" });
    expect(template.expand({ id: "7", q: "a b" })).toBe("notes://7?q=a%20b");
  });
});
