/**
 * What every runtime's main does once its server listens: SIGTERM (or SIGINT) calls the adapter's
 * graceful close, prints "stopped in N ms" and exits 0; a close that hangs exits 1 after
 * shutdownTimeout + 5 s, so a test never leaves a process behind. Prints the URL last.
 */
import { closing } from "./server.js";

export function runUntilSignal(runtime: string, url: string, shutdownTimeout: number, close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    const started = performance.now();
    console.log(`${signal} received, closing`);
    closing();
    const bound = setTimeout(() => {
      console.log(`close did not finish within ${shutdownTimeout + 5_000} ms`);
      process.exit(1);
    }, shutdownTimeout + 5_000);
    close().then(
      () => {
        clearTimeout(bound);
        console.log(`stopped in ${Math.round(performance.now() - started)} ms`);
        process.exit(0);
      },
      (error) => {
        console.log(`close failed: ${error}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  console.log(`runtime ${runtime}`);
  console.log(`listening on ${url}`);
}
