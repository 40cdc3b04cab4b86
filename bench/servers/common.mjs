// Shared by every server under test: the port, the tool/resource they expose, and the
// control channel the harness uses (readiness line on stdout, GC + memory over IPC).
// Every server exposes the same surface:
//   - tool `echo` { text: string } -> one text block with `text`; when the request carries
//     `_meta.progressToken` the tool first sends one `notifications/progress` (that is what makes
//     a response SSE on Wisp, mcp-lite and the SDK v2 "auto" mode);
//   - resource `bench://static` (text/plain);
//   - TOOLS=n more tools `tool_0` … `tool_{n-1}` (same input schema) for the tools/list metric.
import v8 from 'node:v8';

export const PORT = Number(process.argv[2] ?? process.env.PORT ?? 3000);
export const HOST = '127.0.0.1';
export const MODE = process.env.MODE ?? '';
export const TOOLS = Number(process.env.TOOLS ?? 0);
export const EXTRA_TOOLS = Array.from({ length: TOOLS }, (_, i) => `tool_${i}`);
export const ECHO = { name: 'echo', description: 'Echo the text back' };
export const RESOURCE = { name: 'static', uri: 'bench://static', mimeType: 'text/plain', text: 'a static resource' };
export const SERVER_INFO = { name: 'bench', version: '1.0.0' };

/** Call once the server listens: prints the readiness line and serves the harness's IPC. */
export function ready(name) {
  process.stdout.write(`READY ${name} ${PORT} pid=${process.pid}\n`);
  if (process.send) {
    process.on('message', (m) => {
      if (m === 'mem') {
        if (globalThis.gc) { globalThis.gc(); globalThis.gc(); }
        const stats = v8.getHeapSpaceStatistics();
        const spaces = Object.fromEntries(stats.map((x) => [x.space_name, x.space_used_size]));
        // Committed size per space: the young generation grows in steps under load, whatever is kept.
        const spaceSizes = Object.fromEntries(stats.map((x) => [x.space_name, x.space_size]));
        process.send({ mem: { ...process.memoryUsage(), spaces, spaceSizes } });
      }
    });
    process.on('disconnect', () => process.exit(0)); // the harness went away
  }
  const ttl = Number(process.env.SERVER_TTL_S ?? 600);
  setTimeout(() => process.exit(0), ttl * 1000).unref();
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
}
