/**
 * The memory side channel of the soak server: `GET /memory` on its own port (never on the MCP
 * endpoint, so it cannot change what is measured there) answers `process.memoryUsage()` taken
 * after forced garbage collections, plus the MCP listener's open connection count.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface MemoryReport {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** Connections open on the MCP listener (SSE streams and keep-alive sockets). */
  connections: number;
  /**
   * Linux: the anonymous part of RSS (heap, malloc) and the file-backed part (the node binary's
   * pages a load touched, which stay resident but are not retention). -1 elsewhere.
   */
  rssAnon: number;
  rssFile: number;
}

/** RssAnon / RssFile from /proc/self/status, in bytes; -1 where there is no such file. */
function rssParts(): { rssAnon: number; rssFile: number } {
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    const kb = (name: string) => {
      const value = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1];
      return value === undefined ? -1 : Number(value) * 1024;
    };
    return { rssAnon: kb("RssAnon"), rssFile: kb("RssFile") };
  } catch {
    return { rssAnon: -1, rssFile: -1 };
  }
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Two collections with a turn between them: the first may only queue finalizers the second frees. */
async function collect(): Promise<void> {
  if (!gc) throw new Error("the soak server needs --expose-gc");
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
}

export async function serveMemory(mcp: Server): Promise<{ url: string; close: () => Promise<void> }> {
  const channel = createServer((req, res) => {
    if (req.method !== "GET" || req.url !== "/memory") {
      res.writeHead(404).end();
      return;
    }
    void collect().then(() => {
      mcp.getConnections((error, connections) => {
        const report: MemoryReport = { ...process.memoryUsage(), connections: error ? -1 : connections, ...rssParts() };
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(report));
      });
    });
  });
  await new Promise<void>((resolve) => channel.listen(0, "127.0.0.1", resolve));
  const { port } = channel.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/memory`,
    close: () => new Promise<void>((resolve) => channel.close(() => resolve())),
  };
}
