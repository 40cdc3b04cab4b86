// The Bun ladder: one Bun.serve per variant, each answering the bench's 2026-07-28 tools/call
// (req.lua), from a bare handler up to @wisp/bun's serve(). The step between two rungs is what
// that layer costs on Bun. Run with ./run.sh <variant>… (see there); V and PORT pick the rung.
import { serve, toBunHandler } from "@wisp/bun";
import { createServer, fromRequest, toResponse } from "@wisp/core";
import * as v from "valibot";
import { makeServer } from "../servers/wisp.ts";

const server = makeServer();
// The same echo tool without a call timeout (no timer per call), and without a schema.
const noTimer = createServer({ name: "bench", version: "1.0.0", callTimeout: 0 }).tool("echo", { description: "Echo", input: v.object({ text: v.string() }) }, ({ text }) => text);
const noSchema = createServer({ name: "bench", version: "1.0.0" }).tool("echo", { description: "Echo" }, (args: Record<string, unknown>) => String(args.text));

const JSON_HEADERS = { "content-type": "application/json" };
/** The answer Wisp gives, written by hand. */
const answer = (message: { id: number; params: { arguments: { text: string } } }) =>
  JSON.stringify({ jsonrpc: "2.0", id: message.id, result: { content: [{ type: "text", text: message.params.arguments.text }], resultType: "complete", _meta: { "io.modelcontextprotocol/serverInfo": { name: "bench", version: "1.0.0" } } } });
const READ_HEADERS = ["origin", "host", "content-type", "accept", "content-length", "mcp-protocol-version", "mcp-method", "mcp-name", "mcp-session-id"];

const rungs: Record<string, (request: Request, bun: any) => Response | Promise<Response>> = {
  /** The floor: parse the body, answer by hand. */
  floor: async (request) => new Response(answer(await request.json()), { status: 200, headers: JSON_HEADERS }),
  /** + what Wisp reads of every request: the URL, nine headers, the body as text. */
  headers: async (request) => {
    void request.url;
    for (const name of READ_HEADERS) request.headers.get(name);
    return new Response(answer(JSON.parse(await request.text())), { status: 200, headers: JSON_HEADERS });
  },
  /** The core's Outcome path, as the Bun adapter uses it. */
  process: (request) => server.http.process(fromRequest(request), {}).then(toResponse),
  notimer: (request) => noTimer.http.process(fromRequest(request), {}).then(toResponse),
  noschema: (request) => noSchema.http.process(fromRequest(request), {}).then(toResponse),
  /** + the Bun adapter's idle-timeout lift around the call. */
  timeouts: async (request, bun) => {
    bun.timeout(request, 0);
    const outcome = await server.http.process(fromRequest(request), {});
    bun.timeout(request, 10);
    return toResponse(outcome);
  },
  /** The web-standard entry point. */
  handle: (request) => server.handle(request),
  /** @wisp/bun's fetch handler. */
  bunhandler: toBunHandler(server, { loopback: true }),
};

const variant = process.env.V ?? "";
const port = Number(process.env.PORT);
if (variant === "serve") await serve(server, { port, hostname: "127.0.0.1" });
else if (rungs[variant]) Bun.serve({ port, hostname: "127.0.0.1", fetch: rungs[variant] });
else throw new Error(`V must be serve or one of ${Object.keys(rungs).join(", ")}`);
console.log("ready");
