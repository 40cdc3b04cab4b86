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
    if (!this.#timer) {
      this.#timer = setInterval(() => {
        for (const id of this.#counts.keys()) this.renew(id);
      }, this.every);
      (this.#timer as { unref?: () => void }).unref?.();
    }
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const count = (this.#counts.get(sessionId) ?? 1) - 1;
      if (count > 0) this.#counts.set(sessionId, count);
      else this.#counts.delete(sessionId);
      if (this.#counts.size === 0) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
    };
  }
}
