/**
 * Both targets, each with its own fixture server: the Node adapter on 127.0.0.1 (port 0, real
 * sockets) and a second server called through handle(). Handler crashes are collected from the
 * servers' "exception" telemetry: the fixture's handlers never crash, so any report is a finding.
 */
import type { Server } from "@wisp/core";
import { serve } from "@wisp/node";
import { createFuzzServer } from "../server.js";
import { type Target, httpTarget } from "./http.js";
import { handleTarget } from "./handle.js";

export interface Crash {
  target: Target["name"];
  method: string;
  error: string;
}

export interface Targets {
  http: Target;
  handle: Target;
  servers: { http: Server; handle: Server };
  /** The endpoint URL of the HTTP target, and the origin handle() requests are addressed to. */
  url: string;
  crashes: Crash[];
  close(): Promise<void>;
}

const MAX_CRASHES_KEPT = 50;

export async function startTargets(concurrency: number): Promise<Targets> {
  const crashes: Crash[] = [];
  const watch = (server: Server, target: Target["name"]) =>
    server.on("exception", ({ request, error }) => {
      if (crashes.length < MAX_CRASHES_KEPT) crashes.push({ target, method: String(request?.method), error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    });
  const httpServer = createFuzzServer();
  const handleServer = createFuzzServer();
  watch(httpServer, "http");
  watch(handleServer, "handle");
  const running = await serve(httpServer, { port: 0, hostname: "127.0.0.1" });
  const origin = `http://127.0.0.1:${running.port}`;
  const http = httpTarget(running.port, concurrency);
  const handle = handleTarget(handleServer, origin);
  return {
    http,
    handle,
    servers: { http: httpServer, handle: handleServer },
    url: running.url,
    crashes,
    async close() {
      await http.close();
      await handleServer.close();
      await running.close();
    },
  };
}
