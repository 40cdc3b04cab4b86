/**
 * runtimes.test.ts on workerd: the Worker module startWorkerd bundles (esbuild, edge builds of
 * `jose`) and runs through Miniflare. RESOURCE, ISSUER and JWKS_URI are plain-text bindings.
 * 2025-era sessions live in the Durable Object, so both entry points build the same guarded server.
 */
import { createSessionObject, createWorker } from "@wisp/cloudflare";
import { buildProtectedServer, fixtureConfig } from "./runtime-fixture.js";

type Env = Record<string, string | undefined>;

const build = (env: Env, { storage }: { storage: Parameters<typeof buildProtectedServer>[2] }) => buildProtectedServer(fixtureConfig(env), "workerd", storage);

export default createWorker<Env>(build);
export const WispSessionObject = createSessionObject<Env>(build);
