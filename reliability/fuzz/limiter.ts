/** Runs at most `limit` tasks at once; `admit` waits for a free slot, not for the task to end. */
export class Limiter {
  readonly #limit: number;
  #running = 0;
  #waiting: (() => void)[] = [];
  #idle: (() => void)[] = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  async admit(task: () => Promise<void>): Promise<void> {
    while (this.#running >= this.#limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running++;
    void task()
      .catch(() => {}) // tasks record their own failures
      .finally(() => {
        this.#running--;
        this.#waiting.shift()?.();
        if (this.#running === 0) for (const resolve of this.#idle.splice(0)) resolve();
      });
  }

  /** Resolves once every admitted task has finished. */
  async drain(): Promise<void> {
    if (this.#running > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
  }
}
