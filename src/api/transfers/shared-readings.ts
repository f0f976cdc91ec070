/**
 * One reading per key for everyone who asks: while it is in flight, and for `freshMs` after it settled, every
 * caller gets the same promise (its result or its error). So however many readers there are, a key is read at
 * most once per `freshMs` plus the time a reading takes. Entries leave in the order they were read, once stale;
 * `maxEntries` bounds the map if many keys are read at once.
 */
export interface SharedReadingsOptions {
  freshMs: number;
  maxEntries: number;
  now?: () => number;
}

interface Entry<T> {
  value: Promise<T>;
  /** null while the reading is in flight. */
  settledAt: number | null;
}

export class SharedReadings<T> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #now: () => number;

  constructor(
    private readonly read: (key: string) => Promise<T>,
    private readonly options: SharedReadingsOptions,
  ) {
    this.#now = options.now ?? Date.now;
  }

  get(key: string): Promise<T> {
    const now = this.#now();
    this.#dropStale(now);
    const entry = this.#entries.get(key);
    if (entry && this.#isFresh(entry, now)) return entry.value;
    return this.#start(key);
  }

  /** The next get() reads anew (the thing read changed in a way this process knows of). */
  forget(key: string): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }

  #start(key: string): Promise<T> {
    const value = Promise.resolve().then(() => this.read(key));
    const entry: Entry<T> = { value, settledAt: null };
    const settle = () => void (entry.settledAt = this.#now());
    value.then(settle, settle);
    this.#entries.delete(key); // re-inserted at the end: the map stays in reading order
    this.#entries.set(key, entry);
    if (this.#entries.size > this.options.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    return value;
  }

  #isFresh(entry: Entry<T>, now: number): boolean {
    return entry.settledAt === null || now - entry.settledAt < this.options.freshMs;
  }

  #dropStale(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (this.#isFresh(entry, now)) return;
      this.#entries.delete(key);
    }
  }
}
