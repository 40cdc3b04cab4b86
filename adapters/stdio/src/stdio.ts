import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { type HostContext, type Server, classifyPost } from "@wisp/core";

export interface StdioOptions {
  input?: Readable;
  output?: Writable;
  /** Reported as ctx.transport.env. Default: process.env. */
  env?: Record<string, string | undefined>;
  /** Reported as ctx.transport.pid. Default: process.pid. */
  pid?: number;
}

export interface StdioServer {
  /** Resolves when the input ends (the client went away). */
  closed: Promise<void>;
  close(): Promise<void>;
}

const URL_ = "http://stdio.invalid/mcp";

/**
 * Serves a Wisp server over stdio: one JSON-RPC message per line in, one per line out.
 * Each message goes through the same `handle()` as HTTP traffic, so both eras, sessions,
 * server→client requests and notifications behave exactly as they do over HTTP.
 * Write logs to stderr: stdout belongs to the protocol.
 * @example
 * import { serveStdio } from "@wisp/stdio";
 * serveStdio(server);
 */
export function serveStdio(server: Server<any>, options: StdioOptions = {}): StdioServer {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const host: HostContext = { transport: { type: "stdio", env: options.env ?? process.env, pid: options.pid ?? process.pid } };
  let sessionId: string | undefined;
  let protocolVersion: string | undefined;
  let notifications: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const inFlight = new Set<Promise<unknown>>();
  /** Resolves once no initialize is pending; messages wait on it so they carry the session id. */
  let gate: Promise<void> = Promise.resolve();

  const write = (message: string) => void output.write(`${message}\n`);

  const post = (body: string): Promise<Response> => {
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json, text/event-stream" };
    if (sessionId) headers["mcp-session-id"] = sessionId;
    if (protocolVersion) headers["mcp-protocol-version"] = protocolVersion;
    return server.handle(new Request(URL_, { method: "POST", headers, body }), host);
  };

  /** Copies a response to stdout: a JSON body as one line, an SSE body event by event. */
  const relay = async (response: Response): Promise<void> => {
    const type = response.headers.get("content-type") ?? "";
    if (type.startsWith("text/event-stream") && response.body) return pumpEvents(response.body.getReader(), write);
    const text = await response.text();
    if (text) write(text);
  };

  const openNotificationStream = async () => {
    if (notifications || !sessionId) return;
    const response = await server.handle(new Request(URL_, { headers: { accept: "text/event-stream", "mcp-session-id": sessionId } }), host);
    if (response.status !== 200 || !response.body) return;
    notifications = response.body.getReader();
    void pumpEvents(notifications, write);
  };

  const onLine = async (line: string) => {
    if (!line.trim()) return;
    let message: { method?: string };
    try {
      message = JSON.parse(line);
    } catch {
      write(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error: each line must be one JSON-RPC message" } }));
      return;
    }
    // The core's era classification says when a session starts; stdio sends no version header.
    if (classifyPost(message, null).to === "initialize") {
      // Everything after initialize needs its session id: hold later lines until it is known.
      let open!: () => void;
      const previous = gate;
      gate = new Promise((resolve) => (open = resolve));
      await previous;
      try {
        const response = await post(line);
        if (response.status === 200) {
          sessionId = response.headers.get("mcp-session-id") ?? undefined;
          const body = await response.clone().json().catch(() => undefined);
          protocolVersion = body?.result?.protocolVersion;
        }
        await relay(response);
      } finally {
        open();
      }
      return;
    }
    await gate;
    const response = await post(line);
    if (!response.ok && isNotification(message)) {
      // JSON-RPC never answers a notification, not even with an error: say it where people read.
      process.stderr.write(`[wisp stdio] ${(message as { method: string }).method} refused: ${await response.text()}\n`);
      return;
    }
    await relay(response);
    if (message?.method === "notifications/initialized") await openNotificationStream();
  };

  const lines = createInterface({ input, crlfDelay: Infinity });
  lines.on("line", (line) => {
    const task = onLine(line).catch((error) => process.stderr.write(`[wisp stdio] ${String(error)}\n`));
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
  });
  const closed = new Promise<void>((resolve) => lines.once("close", resolve));

  const close = async () => {
    lines.close();
    await Promise.allSettled([...inFlight]);
    await notifications?.cancel().catch(() => {});
    if (sessionId) await server.handle(new Request(URL_, { method: "DELETE", headers: { "mcp-session-id": sessionId } }), host);
  };
  void closed.then(close);
  return { closed, close };
}

const isNotification = (message: unknown): boolean =>
  typeof message === "object" && message !== null && !Array.isArray(message) && "method" in message && !("id" in message);

const decoder = new TextDecoder();

/** Writes the `data:` payload of every SSE event as one line; skips priming events and comments. */
async function pumpEvents(reader: ReadableStreamDefaultReader<Uint8Array>, write: (message: string) => void): Promise<void> {
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) !== -1) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).trimStart())
        .join("\n");
      if (data) write(data);
    }
  }
}
