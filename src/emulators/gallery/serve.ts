import type { IncomingMessage, ServerResponse } from 'node:http';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { Link } from '../shared/link';

/** One injected misbehaviour, consumed by one request. */
export type ServeFault =
  | { status: number }
  | { resetAfterBytes: number }
  | { wrongBytes: true }
  | { slowBytesPerSecond: number }
  /** Sends this many body bytes, then the rest a few bytes at a time at trickleBytesPerSecond, or (without it)
   *  nothing more, holding the connection open until the client gives up. */
  | { stallAfterBytes: number; trickleBytesPerSecond?: number }
  | { redirectTo: string };

/** FIFO queues of faults, one action per request. */
export class FaultQueue<K> {
  private readonly queues = new Map<K, ServeFault[]>();

  push(key: K, actions: ServeFault[]): void {
    this.queues.set(key, [...(this.queues.get(key) ?? []), ...actions]);
  }

  take(key: K): ServeFault | undefined {
    return this.queues.get(key)?.shift();
  }
}

interface Body {
  status: number;
  headers: Record<string, string>;
  pieces: Iterable<Buffer>;
}

/**
 * Sends a response piece by piece, waiting for each write to be flushed (backpressure) and
 * applying the fault, if any. `onBytes` sees the body bytes that actually went out.
 */
export async function serve(req: IncomingMessage, res: ServerResponse, body: Body, fault: ServeFault | undefined, onBytes: (n: number) => void): Promise<void> {
  if (fault && 'status' in fault) {
    res.writeHead(fault.status, { 'content-type': 'text/plain' }).end(`injected ${fault.status}`);
    return;
  }
  if (fault && 'redirectTo' in fault) {
    res.writeHead(302, { location: fault.redirectTo, 'content-length': '0' }).end();
    return;
  }
  res.writeHead(body.status, body.headers);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  if (fault && 'stallAfterBytes' in fault) return stallOrTrickle(res, body.pieces, fault, onBytes);
  const slow = fault && 'slowBytesPerSecond' in fault ? new Link(() => fault.slowBytesPerSecond) : undefined;
  const cutAt = fault && 'resetAfterBytes' in fault ? fault.resetAfterBytes : Infinity;
  let sent = 0;
  try {
    for (const original of body.pieces) {
      let piece = original;
      if (fault && 'wrongBytes' in fault) {
        // Same length, different content: only a checksum can tell.
        piece = Buffer.from(original);
        if (piece.length > 0) piece[0]! ^= 0xff;
      }
      if (sent + piece.length >= cutAt) {
        await write(res, piece.subarray(0, cutAt - sent));
        onBytes(cutAt - sent);
        res.socket?.destroy();
        return;
      }
      await slow?.take(piece.length);
      await write(res, piece);
      sent += piece.length;
      onBytes(piece.length);
    }
    res.end();
  } catch {
    // The client went away; nothing left to do.
  }
}

/** Drips come this often. */
const DRIP_MS = 100;

/** The `stallAfterBytes` fault: a body that stops, or goes on a few bytes at a time, after its first bytes. */
async function stallOrTrickle(
  res: ServerResponse,
  pieces: Iterable<Buffer>,
  fault: { stallAfterBytes: number; trickleBytesPerSecond?: number },
  onBytes: (n: number) => void,
): Promise<void> {
  const rate = fault.trickleBytesPerSecond;
  const drip = rate ? Math.max(1, Math.round((rate * DRIP_MS) / 1000)) : 0;
  let sent = 0;
  try {
    for (const piece of pieces) {
      for (let at = 0; at < piece.length; ) {
        const before = fault.stallAfterBytes - sent;
        if (before <= 0 && !rate) {
          await once(res, 'close');
          return;
        }
        if (before <= 0) await delay(DRIP_MS);
        const n = Math.min(piece.length - at, before > 0 ? before : drip);
        await write(res, piece.subarray(at, at + n));
        onBytes(n);
        sent += n;
        at += n;
      }
    }
    res.end();
  } catch {
    // The client went away.
  }
}

function write(res: ServerResponse, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const onClose = (): void => reject(new Error('connection closed'));
    res.once('close', onClose);
    res.write(chunk, (err) => {
      res.off('close', onClose);
      if (err) reject(err);
      else resolve();
    });
  });
}
