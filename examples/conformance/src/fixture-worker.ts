/**
 * The conformance fixture as a Cloudflare Worker: the same registrations as fixture.ts, served
 * by @wisp/cloudflare (stateless 2026 requests in the Worker, 2025 sessions, listen streams and
 * tasks in Durable Objects). `npm run fixture:workerd` runs it on workerd (main-workerd.ts).
 */
import { type BuildServer, createSessionObject, createWorker } from "@wisp/cloudflare";
import { createConformanceServer } from "./fixture.js";

interface Env {
  /** Signs 2026 requestState; every isolate must share it (a secret in production). */
  WISP_REQUEST_STATE_SECRET?: string;
  /** "1": the fixture built with @wisp/core/stateless (2026-07-28 only; no session objects). */
  WISP_STATELESS_ONLY?: string;
}

const build: BuildServer<Env> = (env, { storage }) =>
  createConformanceServer({ storage, requestStateSecret: env.WISP_REQUEST_STATE_SECRET }, env.WISP_STATELESS_ONLY === "1");

export default createWorker(build);
export const WispSessionObject = createSessionObject(build);
