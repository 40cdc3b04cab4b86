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
}

const build: BuildServer<Env> = (env, { storage }) => createConformanceServer({ storage, requestStateSecret: env.WISP_REQUEST_STATE_SECRET });

export default createWorker(build);
export const WispSessionObject = createSessionObject(build);
