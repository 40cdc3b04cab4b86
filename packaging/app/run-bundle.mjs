// The esbuild --platform=neutral bundle runs: one tools/call through its server.handle().
import { addRequest, readMessage } from "./call.mjs";

const { default: server } = await import(process.argv[2]);
console.log(JSON.stringify(await readMessage(await server.handle(addRequest("http://127.0.0.1/mcp", 4, 5)))));
