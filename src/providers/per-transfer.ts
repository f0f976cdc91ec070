/** Idle entries are dropped after this: a transfer's next activity simply builds a fresh one. */
export const IDLE_MS = 30 * 60_000;

/**
 * One value per transfer in this process — an account's auth, so a gallery's parallel uploads share one access
 * token and one refresh, and its account pacing (which account it writes to, found once). Built from the
 * transfer's refresh token on first use.
 */
export class PerTransfer<T> {
  readonly #entries = new Map<string, { value: T; used: number }>();

  constructor(private readonly create: (refreshToken: string, transferId: string) => T) {}

  get(transferId: string, refreshToken: string): T {
    const now = Date.now();
    for (const [k, v] of this.#entries) if (now - v.used > IDLE_MS) this.#entries.delete(k);
    let entry = this.#entries.get(transferId);
    if (!entry) {
      entry = { value: this.create(refreshToken, transferId), used: now };
      this.#entries.set(transferId, entry);
    }
    entry.used = now;
    return entry.value;
  }

  forget(transferId: string): void {
    this.#entries.delete(transferId);
  }
}
