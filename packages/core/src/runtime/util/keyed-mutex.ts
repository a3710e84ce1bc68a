/**
 * An in-process, first-come first-served async mutex per key. Not reentrant: a callback that runs `run` again
 * with the same key waits for itself forever.
 */
export class KeyedMutex {
  /** Exists only while a key is held or queued: an idle mutex costs one small object. */
  #tails: Map<string, Promise<void>> | null = null;

  /** Runs `fn` once every earlier holder of `key` has finished, and releases the key when it settles. */
  async run<R>(key: string, fn: () => Promise<R>): Promise<R> {
    this.#tails ??= new Map();
    const tails = this.#tails;
    const previous = tails.get(key);
    let release!: () => void;
    const tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    // `tail` resolves after `previous` because every tail resolves only once its holder is done.
    const queued = previous ? previous.then(() => tail) : tail;
    tails.set(key, queued);
    try {
      if (previous) await previous;
      return await fn();
    } finally {
      release();
      if (tails.get(key) === queued) {
        tails.delete(key);
        // Entries are only ever added to the current map, so an empty one can go.
        if (tails.size === 0 && this.#tails === tails) this.#tails = null;
      }
    }
  }
}
