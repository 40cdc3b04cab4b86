// Wisp on Node with @wisp/redis: the same server as wisp-node.ts, its sessions, stream events,
// bus and leases in the redis-server at REDIS_URL (started by the bench, pinned to the load core).
// Bundled on its own (.build/wisp-node-redis.mjs), so the memory-storage bundle never loads a
// Redis client; @redis/client stays an import of the installed package.
import { serve } from "@wisp/node";
import { redisStorage } from "@wisp/redis";
import { HOST, PORT, ready } from "./common.mjs";
import { makeServer } from "./wisp.js";

const url = process.env.REDIS_URL;
if (!url) throw new Error("wisp-node-redis: REDIS_URL is not set (the bench starts a redis-server and sets it)");
// A prefix per process: servers of one run share the redis-server, never each other's keys.
const storage = await redisStorage({ url, prefix: `bench-${PORT}` });
await serve(makeServer({ storage }), { port: PORT, hostname: HOST });
ready("wisp-node-redis");
