/**
 * One Wisp instance of the fleet: the example server on Redis, on 127.0.0.1:PORT (0 = any free
 * port). `main.ts` starts two of these; on a real deployment this file is what each machine or
 * container runs, with the same REDIS_URL and WISP_REQUEST_STATE_SECRET everywhere.
 *   REDIS_URL=redis://127.0.0.1:6379 INSTANCE=a PORT=4001 tsx --conditions=wisp-source src/instance.ts
 */
import { serve } from "@wisp/node";
import { redisStorage } from "@wisp/redis";
import { EXAMPLE_REQUEST_STATE_SECRET, createFleetServer } from "./server.js";

const env = process.env;
const instance = env.INSTANCE ?? "a";
// Fails at boot, naming the URL, when Redis is unreachable: better than failing every request.
const storage = await redisStorage({ url: env.REDIS_URL ?? "redis://127.0.0.1:6379" }).catch((error: unknown) => {
  console.error(`instance ${instance}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
const server = createFleetServer({ instance, storage, requestStateSecret: env.WISP_REQUEST_STATE_SECRET ?? EXAMPLE_REQUEST_STATE_SECRET });
const running = await serve(server, { port: Number(env.PORT ?? 0), hostname: env.HOST ?? "127.0.0.1" });

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  try {
    await running.close(); // ends streams, then closes the server and so its Redis connections
    process.exit(0);
  } catch (error) {
    console.error(`instance ${instance}: shutdown failed:`, error);
    process.exit(1);
  }
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void shutdown());
// Started by main.ts with an IPC channel: when the fleet goes away, so does this instance.
process.once("disconnect", () => void shutdown());

console.log(`instance ${instance} listening on ${running.url}`);
