// A Wisp server on the Node adapter, for newer-node.test.ts: run by a newer Node than the suite's.
import { createServer } from "@wisp/core";
import { serve } from "./index.js";

const server = createServer({ name: "newer-node", version: "1.0.0" }).tool("talk", { description: "Reports progress twice, then answers" }, async (_args, ctx) => {
  ctx.progress(1, 2);
  await new Promise((resolve) => setTimeout(resolve, 5)); // a second burst, after the headers went out
  ctx.progress(2, 2);
  return "done";
});
const running = await serve(server, { port: 0 });
console.log(`listening ${running.url}`);
process.once("SIGTERM", () => void running.close().then(() => process.exit(0)));
