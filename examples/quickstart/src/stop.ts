/**
 * Stops the quickstart cleanly however it is asked to: Ctrl-C (SIGINT), SIGTERM, a closed terminal
 * (SIGHUP), or the `npm start` that launched it going away. npm forwards only SIGINT and SIGTERM
 * to its script, and a signal npm does not catch (SIGHUP, SIGKILL) ends npm alone: the server,
 * re-parented, would keep serving. So the server also watches its parent process and stops when
 * that changes.
 */

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export interface StopOptions {
  /** After this many ms a close() still under way is abandoned and the process exits with 1. Default 8 000 (serve()'s shutdownTimeout is 5 000). */
  graceMs?: number;
  /** How often the parent process is checked (ms). Default 500. */
  parentCheckMs?: number;
  /** Where "stopping" is reported. Default: stderr. */
  log?: (line: string) => void;
}

/**
 * Calls `close()` once, on the first signal or when the launcher is gone, then exits (0 once
 * closed). Later signals are ignored rather than left to their default action, which would kill
 * the process mid-close: Ctrl-C in a terminal reaches the server twice (from the terminal and
 * forwarded by npm).
 * @example
 * const running = await serve(server);
 * stopWhenAsked(() => running.close());
 */
export function stopWhenAsked(close: () => Promise<void>, options: StopOptions = {}): void {
  const { graceMs = 8_000, parentCheckMs = 500, log = (line) => process.stderr.write(`${line}\n`) } = options;
  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(watch);
    try {
      log(`stopping (${why})`);
    } catch {
      // the terminal may be gone (SIGHUP): stopping matters more than saying so
    }
    setTimeout(() => process.exit(1), graceMs).unref();
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  for (const signal of SIGNALS) process.on(signal, () => stop(signal));
  // A dead parent re-parents the process (to init or a subreaper): its parent PID changes.
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parent) stop(`parent process ${parent} is gone`);
  }, parentCheckMs).unref();
}
