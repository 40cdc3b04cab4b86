/**
 * serve()'s limits over real sockets on 127.0.0.1, with small timeouts so each case takes about a
 * second: slow headers and slow bodies are cut with 408 + a JSON-RPC error, an oversize header
 * block gets 431, a slow body within the limit and SSE responses longer than the limit are not
 * cut, many trickling sockets all close in time, and the connection cap refuses the extra ones.
 */
import { type Socket, connect } from "node:net";
import { createServer } from "@wisp/core";
import { afterEach, describe, expect, it } from "vitest";
import { ACCEPT, LATEST, type Json, legacyPost, legacySession } from "../../../test-kit/mcp.js";
import { sleep, withTimeout } from "../../../test-kit/process.js";
import { type RunningServer, type ServeOptions, serve } from "./index.js";

const HEADERS_TIMEOUT = 400;
const REQUEST_TIMEOUT = 1_000;
/** Node checks timeouts every quarter of the smallest one; a loaded machine adds some. */
const SLACK = 700;

const wisp = () =>
  createServer({ name: "limits", version: "1" }).tool("slow", { description: "Reports progress for 2.5 × the request timeout, then answers" }, async (_args, ctx) => {
    for (let i = 1; i <= 5; i++) {
      ctx.progress(i, 5);
      await sleep(REQUEST_TIMEOUT / 2);
    }
    return "done";
  });

const running: RunningServer[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(running.splice(0).map((r) => r.close()));
});

async function start(options: ServeOptions = {}, server = wisp()) {
  const r = await serve(server, { port: 0, headersTimeout: HEADERS_TIMEOUT, requestTimeout: REQUEST_TIMEOUT, ...options });
  running.push(r);
  return r;
}

/** A raw TCP client: what it received, and when (ms after connecting) the server closed it. */
interface Raw {
  socket: Socket;
  received(): string;
  closed: Promise<number>;
}

async function raw(port: number): Promise<Raw> {
  const socket = connect(port, "127.0.0.1");
  sockets.push(socket);
  socket.on("error", () => {}); // a reset after the answer is expected
  let received = "";
  socket.on("data", (chunk: Buffer) => (received += chunk));
  await new Promise((resolve) => socket.once("connect", resolve));
  const started = Date.now();
  const closed = new Promise<number>((resolve) => socket.once("close", () => resolve(Date.now() - started)));
  return { socket, received: () => received, closed };
}

/** Writes one byte every `everyMs` until the socket closes or `bytes` were sent. */
function trickle(socket: Socket, bytes: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || !socket.writable || i >= bytes.length) return void clearInterval(timer);
    socket.write(bytes[i++]!);
  }, everyMs);
  socket.once("close", () => clearInterval(timer));
}

/** Status and JSON body of a raw HTTP/1.1 response. */
function parse(response: string): { status: number; headers: string; body: Json } {
  const [head, body] = response.split("\r\n\r\n", 2) as [string, string];
  return { status: Number(head.split(" ")[1]), headers: head.toLowerCase(), body: JSON.parse(body) as Json };
}

const initialize = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: LATEST, capabilities: {}, clientInfo: { name: "raw", version: "1" } } });
const requestHead = (port: number, length: number) =>
  `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nAccept: ${ACCEPT}\r\nContent-Length: ${length}\r\n\r\n`;

describe("serve() limits", () => {
  it("cuts a header block that trickles past headersTimeout, and a connection that sends nothing, with 408 + a JSON-RPC error", async () => {
    const { port } = await start();
    const slow = await raw(port);
    trickle(slow.socket, `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${"X-Slow: 1\r\n".repeat(100)}`, 50);
    const silent = await raw(port);
    for (const client of [slow, silent]) {
      const after = await withTimeout(client.closed, HEADERS_TIMEOUT + SLACK + 1_000, "the slow-headers connection to close");
      expect(after).toBeGreaterThanOrEqual(HEADERS_TIMEOUT - 50);
      expect(after).toBeLessThan(HEADERS_TIMEOUT + SLACK);
      const { status, headers, body } = parse(client.received());
      expect(status).toBe(408);
      expect(headers).toContain("connection: close");
      expect(body).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32000, message: `Request Timeout: the request headers must arrive within ${HEADERS_TIMEOUT} ms` } });
    }
  });

  it("refuses a header block over maxHeaderSize (default 16 KiB) with 431 + a JSON-RPC error; one under it is served", async () => {
    const { port, url } = await start();
    const big = await raw(port);
    big.socket.write(`POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Big: ${"a".repeat(17_000)}\r\n\r\n`);
    await withTimeout(big.closed, 2_000, "the oversize-header connection to close");
    const { status, body } = parse(big.received());
    expect(status).toBe(431);
    expect(body.error).toEqual({ code: -32600, message: "Request Header Fields Too Large: the header block exceeds 16384 bytes" });

    const fits = await fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: ACCEPT, "x-big": "a".repeat(15_000) }, body: initialize });
    expect(fits.status).toBe(200);
    await fits.text();
  });

  it("answers a body that trickles past requestTimeout with 408 + a JSON-RPC error and closes the connection", async () => {
    const { port } = await start();
    const client = await raw(port);
    client.socket.write(requestHead(port, initialize.length));
    trickle(client.socket, initialize, 100); // 1 byte per 100 ms: the whole body would need ~20 s
    const after = await withTimeout(client.closed, REQUEST_TIMEOUT + SLACK + 1_000, "the slow-body connection to close");
    expect(after).toBeGreaterThanOrEqual(REQUEST_TIMEOUT - 50);
    expect(after).toBeLessThan(REQUEST_TIMEOUT + SLACK);
    const { status, body } = parse(client.received());
    expect(status).toBe(408);
    expect(body).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32000, message: `Request Timeout: the request body must arrive within ${REQUEST_TIMEOUT} ms` } });
  });

  it("serves a body that arrives slowly but within requestTimeout", async () => {
    const { port } = await start();
    const client = await raw(port);
    client.socket.write(requestHead(port, initialize.length));
    const parts = initialize.match(/[^]{1,40}/g)!;
    const every = Math.floor(REQUEST_TIMEOUT / 2 / parts.length); // all of it by half the timeout
    for (const part of parts) {
      client.socket.write(part);
      await sleep(every);
    }
    const deadline = Date.now() + 3_000;
    while (!client.received().includes("\r\n\r\n") && Date.now() < deadline) await sleep(20);
    const head = client.received().split("\r\n", 1)[0];
    expect(head).toBe("HTTP/1.1 200 OK");
    expect(client.received()).toContain('"serverInfo":{"name":"limits"');
  });

  it("does not cut responses that outlast requestTimeout: a POST's SSE response and a GET stream", async () => {
    const server = wisp();
    const { url } = await start({}, server);
    const sessionId = await legacySession(url);
    const stream = await fetch(url, { headers: { accept: "text/event-stream", "mcp-session-id": sessionId, "mcp-protocol-version": LATEST } });
    expect(stream.status).toBe(200);

    const started = Date.now();
    const call = await legacyPost(url, sessionId, { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "slow", _meta: { progressToken: "p" } } }, LATEST);
    expect(call.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const text = await withTimeout(call.text(), 10_000, "the slow tool's SSE response");
    expect(Date.now() - started).toBeGreaterThan(2 * REQUEST_TIMEOUT);
    expect(text).toContain('"method":"notifications/progress"');
    expect(text).toContain('"content":[{"type":"text","text":"done"}]');

    // The GET stream, open since before the call (> 2.5 × requestTimeout), still delivers.
    server.tool("later", { description: "Registered while the stream is open" }, () => "later");
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    const listChanged = async () => {
      while (!seen.includes("notifications/tools/list_changed")) {
        const { done, value } = await reader.read();
        if (done) throw new Error(`the GET stream ended: ${seen}`);
        seen += value;
      }
    };
    await withTimeout(listChanged(), 3_000, "tools/list_changed on the GET stream");
    await reader.cancel();
  });

  it("closes every one of 50 trickling connections within requestTimeout + slack", async () => {
    const { port } = await start();
    const clients = await Promise.all(Array.from({ length: 50 }, () => raw(port)));
    for (const client of clients) {
      client.socket.write(requestHead(port, 1_000));
      trickle(client.socket, "x".repeat(1_000), 200);
    }
    const closedAfter = await withTimeout(Promise.all(clients.map((c) => c.closed)), REQUEST_TIMEOUT + SLACK + 2_000, "all 50 trickling connections to close");
    expect(Math.max(...closedAfter)).toBeLessThan(REQUEST_TIMEOUT + SLACK + 500);
    expect(clients.map((c) => parse(c.received()).status)).toEqual(clients.map(() => 408));
  });

  it("maxConnections: connections past the cap are closed at once, without a response; a freed slot is usable again", async () => {
    const { port, url } = await start({ maxConnections: 2 });
    const held = [await raw(port), await raw(port)];
    const extra = await raw(port);
    expect(await withTimeout(extra.closed, 2_000, "the connection over the cap to close")).toBeLessThan(1_000);
    expect(extra.received()).toBe("");

    held[0]!.socket.destroy();
    await held[0]!.closed;
    const deadline = Date.now() + 2_000; // the server sees the close a moment later
    for (;;) {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: ACCEPT, connection: "close" }, body: initialize }).catch(() => undefined);
      if (res) {
        expect(res.status).toBe(200);
        await res.text();
        break;
      }
      if (Date.now() > deadline) throw new Error("no connection was accepted after one of the two held ones closed");
      await sleep(50);
    }
  });

  it("rejects invalid limits with the option's name", async () => {
    await expect(serve(wisp(), { port: 0, requestTimeout: -1 })).rejects.toThrow(/requestTimeout/);
    await expect(serve(wisp(), { port: 0, maxConnections: 0 })).rejects.toThrow(/maxConnections/);
  });
});
