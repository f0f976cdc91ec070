import ipaddr from 'ipaddr.js';

/**
 * Caps on open event streams (Server-Sent Events) of one API process: per client and in total. Each stream holds
 * a connection and a listener for as long as it lives, so without a cap one client could hold them all.
 */

export type StreamRefusal = 'client' | 'total';

export interface StreamSlot {
  /** Gives the slot back; safe to call more than once. */
  release(): void;
}

export class StreamLimiter {
  readonly #perClient = new Map<string, number>();
  #total = 0;

  constructor(readonly limits: { total: number; perClient: number }) {}

  get open(): number {
    return this.#total;
  }

  /** A slot for one more stream of `client`, or which cap refuses it. */
  acquire(client: string): StreamSlot | { refused: StreamRefusal } {
    const mine = this.#perClient.get(client) ?? 0;
    if (mine >= this.limits.perClient) return { refused: 'client' };
    if (this.#total >= this.limits.total) return { refused: 'total' };
    this.#perClient.set(client, mine + 1);
    this.#total += 1;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#total -= 1;
        const left = (this.#perClient.get(client) ?? 1) - 1;
        if (left > 0) this.#perClient.set(client, left);
        else this.#perClient.delete(client);
      },
    };
  }
}

/**
 * Who counts as one client: an IPv4 address, or an IPv6 /64 — one subscriber's network, inside which a client
 * can pick a new address for every request. IPv4-mapped IPv6 addresses are their IPv4 address.
 */
export function clientKey(ip: string | undefined): string {
  if (!ip || !ipaddr.isValid(ip)) return 'unknown';
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  const prefix = (address as ipaddr.IPv6).toByteArray().slice(0, 8);
  return `${ipaddr.fromByteArray([...prefix, 0, 0, 0, 0, 0, 0, 0, 0]).toString()}/64`;
}
