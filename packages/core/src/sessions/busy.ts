/**
 * Sessions with requests in flight on this instance. A slow call is activity: one timer per
 * instance renews these sessions while they work, so a long tool call never returns to a
 * session that expired under it.
 */
export class BusySessions {
  readonly #counts = new Map<string, number>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly renew: (sessionId: string) => void,
    private readonly every: number,
  ) {}

  enter(sessionId: string): () => void {
    this.#counts.set(sessionId, (this.#counts.get(sessionId) ?? 0) + 1);
    // The timer stops itself on a tick with nothing in flight, not when the last call leaves:
    // a stream of short calls would otherwise make and clear a timer for every one of them.
    this.#timer ??= this.#start();
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const count = (this.#counts.get(sessionId) ?? 1) - 1;
      if (count > 0) this.#counts.set(sessionId, count);
      else this.#counts.delete(sessionId);
    };
  }

  /** Stops renewing (server close): the timer would otherwise run until its next idle tick. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #start(): ReturnType<typeof setInterval> {
    const timer = setInterval(() => {
      if (this.#counts.size === 0) {
        clearInterval(timer);
        this.#timer = undefined;
        return;
      }
      for (const id of this.#counts.keys()) this.renew(id);
    }, this.every);
    (timer as { unref?: () => void }).unref?.();
    return timer;
  }
}
