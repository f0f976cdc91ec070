import { createHmac, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { header, jsonReply, readBody, type Reply } from '../shared/http';

export interface CallbackRecord {
  receivedAt: Date;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown;
  /** `X-Cloud-Archive-Signature: sha256=<hex HMAC-SHA256 of the raw body>` checks out. */
  signatureValid: boolean;
  /** What this receiver answered: 200, or 500 while failCallbacks(n) lasts. */
  status: number;
}

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/** Plays the gallery backend's completion-callback endpoint. */
export class CallbackReceiver {
  private readonly records: CallbackRecord[] = [];
  private readonly arrivals = new EventEmitter();
  private failuresLeft = 0;

  constructor(private readonly secret: string | undefined) {}

  async receive(req: IncomingMessage): Promise<Reply> {
    const rawBody = await readBody(req, 1024 * 1024);
    const status = this.failuresLeft > 0 ? 500 : 200;
    if (status === 500) this.failuresLeft -= 1;
    const record: CallbackRecord = {
      receivedAt: new Date(),
      headers: req.headers,
      rawBody,
      json: parseJson(rawBody),
      signatureValid: this.verify(rawBody, header(req, 'x-cloud-archive-signature')),
      status,
    };
    this.records.push(record);
    this.arrivals.emit('callback', record);
    return jsonReply(status, status === 200 ? { ok: true } : { error: 'injected failure' });
  }

  failNext(count: number): void {
    this.failuresLeft = count;
  }

  all(): CallbackRecord[] {
    return [...this.records];
  }

  /** Resolves with the first accepted (200) callback matching, including ones already received. */
  waitFor(predicate: (record: CallbackRecord) => boolean, timeoutMs: number): Promise<CallbackRecord> {
    const accepted = (record: CallbackRecord): boolean => record.status === 200 && predicate(record);
    const earlier = this.records.find(accepted);
    if (earlier) return Promise.resolve(earlier);
    return new Promise((resolve, reject) => {
      const onArrival = (record: CallbackRecord): void => {
        if (!accepted(record)) return;
        stop();
        resolve(record);
      };
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`no matching completion callback within ${timeoutMs} ms (received ${this.records.length})`));
      }, timeoutMs);
      const stop = (): void => {
        clearTimeout(timer);
        this.arrivals.off('callback', onArrival);
      };
      this.arrivals.on('callback', onArrival);
    });
  }

  private verify(rawBody: Buffer, signatureHeader: string | undefined): boolean {
    const hex = SIGNATURE.exec(signatureHeader ?? '')?.[1];
    if (!this.secret || !hex) return false;
    const expected = createHmac('sha256', this.secret).update(rawBody).digest();
    return timingSafeEqual(Buffer.from(hex, 'hex'), expected);
  }
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}
