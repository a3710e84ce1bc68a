/**
 * An in-process, first-come first-served async mutex per key. Not reentrant: a callback that runs `run` again
 * with the same key waits for itself forever.
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `fn` once every earlier holder of `key` has finished, and releases the key when it settles. */
  async run<R>(key: string, fn: () => Promise<R>): Promise<R> {
    const previous = this.#tails.get(key);
    let release!: () => void;
    const tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    // `tail` resolves after `previous` because every tail resolves only once its holder is done.
    const queued = previous ? previous.then(() => tail) : tail;
    this.#tails.set(key, queued);
    try {
      if (previous) await previous;
      return await fn();
    } finally {
      release();
      if (this.#tails.get(key) === queued) this.#tails.delete(key);
    }
  }
}
