import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Authenticated encryption for everything secret that rests or travels: the OAuth `state`, refresh tokens in
 * RabbitMQ messages and Temporal history, upload-session URLs in heartbeats.
 *
 * Format: `v1.<base64url(iv | tag | ciphertext)>`, AES-256-GCM. Each purpose gets its own key derived from
 * SECRET_KEY with HKDF, and the purpose is also bound as associated data, so a sealed refresh token can never be
 * replayed as an OAuth state or the other way round.
 */

export type SealPurpose = 'oauth-state' | 'refresh-token' | 'upload-session';
/** Secrets computed from SECRET_KEY and an input rather than stored: the OAuth PKCE verifier of a transfer. */
export type DerivePurpose = 'pkce-verifier';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SealError extends Error {
  override name = 'SealError';
}

export class Sealer {
  readonly #keys = new Map<SealPurpose | DerivePurpose, Buffer>();

  constructor(private readonly secret: string) {
    if (secret.length < 32) throw new Error('SECRET_KEY must be at least 32 characters');
  }

  #key(purpose: SealPurpose | DerivePurpose): Buffer {
    let key = this.#keys.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', this.secret, 'cloud-archive', purpose, 32));
      this.#keys.set(purpose, key);
    }
    return key;
  }

  seal(purpose: SealPurpose, plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key(purpose), iv);
    cipher.setAAD(Buffer.from(purpose));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  /** HMAC-SHA256 of `input` under the purpose's key, base64url (43 characters): the same input, the same secret. */
  derive(purpose: DerivePurpose, input: string): string {
    return createHmac('sha256', this.#key(purpose)).update(input).digest('base64url');
  }

  open(purpose: SealPurpose, sealed: string): string {
    const [version, payload, ...rest] = sealed.split('.');
    if (version !== VERSION || !payload || rest.length > 0) throw new SealError('not a sealed value');
    const raw = Buffer.from(payload, 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new SealError('sealed value is truncated');
    const decipher = createDecipheriv('aes-256-gcm', this.#key(purpose), raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(purpose));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SealError('sealed value failed authentication (tampered, or sealed with another key)');
    }
  }
}

/** `sha256=<hex>` HMAC of a body, as sent in the completion callback's signature header. */
export function signBody(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function verifySignature(secret: string, body: string | Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(secret, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** An unguessable identifier (128 bits), safe in URLs; used as the transfer id, which acts as a bearer capability. */
export function randomId(): string {
  return randomBytes(16).toString('base64url');
}
