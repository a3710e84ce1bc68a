/** A set that keeps only the `limit` entries added last (oldest evicted first); holds no `Set` until first used. */
export class RecentSet {
  readonly #limit: number;
  #entries: Set<string> | null = null;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** How many entries are kept. */
  get size(): number {
    return this.#entries?.size ?? 0;
  }

  /** Adds `entry`, evicting the oldest one past the limit. */
  add(entry: string): void {
    this.#entries ??= new Set();
    this.#entries.add(entry);
    if (this.#entries.size > this.#limit) {
      const oldest = this.#entries.values().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  /** Whether `entry` is kept. */
  has(entry: string): boolean {
    return this.#entries?.has(entry) === true;
  }
}
