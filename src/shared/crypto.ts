import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Authenticated encryption for everything secret that rests or travels: the OAuth `state`, refresh tokens in
 * RabbitMQ messages and Temporal history, upload-session URLs in heartbeats.
 *
 * Format: `v2.<key id>.<base64url(iv | tag | ciphertext)>`, AES-256-GCM. Each purpose gets its own key derived
 * from the secret with HKDF, and the purpose (with the `v2.<key id>` header) is also bound as associated data, so
 * a sealed refresh token can never be replayed as an OAuth state or the other way round.
 *
 * Rotation: values are sealed with the current secret (SECRET_KEY) and opened with whichever secret their key id
 * names, the current one or one of SECRET_KEYS_PREVIOUS: a refresh token in a workflow input stays sealed with the
 * secret of the day the transfer started, for the transfer's whole life. The key id is derived from the secret
 * (one-way), so it names a key without revealing it. Values of the first format, `v1.<payload>`, carry no key id:
 * they are still opened, by trying each secret, so jobs and transfers from before key ids keep working.
 */

export type SealPurpose = 'oauth-state' | 'refresh-token' | 'upload-session';
/** Secrets computed from SECRET_KEY and an input rather than stored: the OAuth PKCE verifier of a transfer. */
export type DerivePurpose = 'pkce-verifier';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID_BYTES = 6;

export class SealError extends Error {
  override name = 'SealError';
}

/** The short public name of a secret: 8 base64url characters of an HKDF output of it. */
export function keyIdOf(secret: string): string {
  return Buffer.from(hkdfSync('sha256', secret, 'cloud-archive', 'key id', KEY_ID_BYTES)).toString('base64url');
}

/** One secret and the per-purpose keys derived from it. */
class SecretKey {
  readonly id: string;
  readonly #secret: string;
  readonly #purposeKeys = new Map<SealPurpose | DerivePurpose, Buffer>();

  constructor(secret: string) {
    this.#secret = secret;
    this.id = keyIdOf(secret);
  }

  for(purpose: SealPurpose | DerivePurpose): Buffer {
    let key = this.#purposeKeys.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', this.#secret, 'cloud-archive', purpose, 32));
      this.#purposeKeys.set(purpose, key);
    }
    return key;
  }
}

export class Sealer {
  readonly #current: SecretKey;
  /** Every secret this process holds, the current one first. */
  readonly #keys: SecretKey[];

  /** `secret` seals and opens; `previous` (older secrets, kept through a rotation) only open. */
  constructor(secret: string, previous: readonly string[] = []) {
    this.#keys = [secret, ...previous].map((s) => {
      if (s.length < 32) throw new Error('SECRET_KEY and each of SECRET_KEYS_PREVIOUS must be at least 32 characters');
      return new SecretKey(s);
    });
    this.#current = this.#keys[0]!;
    if (new Set(this.#keys.map((k) => k.id)).size !== this.#keys.length) {
      throw new Error('SECRET_KEY and SECRET_KEYS_PREVIOUS must all be different keys');
    }
  }

  /** Which secrets this process holds, by key id (never the secrets): for the start-up log line. */
  get keyIds(): { current_key_id: string; previous_key_ids: string[] } {
    return { current_key_id: this.#current.id, previous_key_ids: this.#keys.slice(1).map((k) => k.id) };
  }

  /** The current secret's key for a purpose: everything new is sealed (or derived) with it. */
  #key(purpose: SealPurpose | DerivePurpose): Buffer {
    return this.#current.for(purpose);
  }

  /**
   * HMAC-SHA256 of `input` under a secret's purpose key, base64url (43 characters): the same input, the same
   * secret. `keyId` picks an older secret, so a value derived before a rotation can be derived again after it
   * (the PKCE verifier of a consent started just before SECRET_KEY changed); by default the current one.
   */
  derive(purpose: DerivePurpose, input: string, keyId: string = this.#current.id): string {
    return createHmac('sha256', this.#withId(keyId).for(purpose)).update(input).digest('base64url');
  }

  /** The id of the key that sealed a `v2` value (null for `v1` values and anything else). */
  sealedWith(sealed: string): string | null {
    const [version, id] = sealed.split('.');
    return version === 'v2' && id ? id : null;
  }

  seal(purpose: SealPurpose, plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key(purpose), iv);
    const header = `v2.${this.#current.id}`;
    cipher.setAAD(Buffer.from(`${header}.${purpose}`));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${header}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  open(purpose: SealPurpose, sealed: string): string {
    const [version, first, second, ...rest] = sealed.split('.');
    if (version === 'v2' && first && second && rest.length === 0) {
      const plain = decrypt(this.#withId(first).for(purpose), `v2.${first}.${purpose}`, second);
      if (plain === null) throw new SealError('sealed value failed authentication (tampered, or sealed for another purpose)');
      return plain;
    }
    if (version === 'v1' && first && second === undefined) {
      for (const key of this.#keys) {
        const plain = decrypt(key.for(purpose), purpose, first);
        if (plain !== null) return plain;
      }
      throw new SealError('sealed value failed authentication (tampered, sealed for another purpose, or with a key this process does not hold)');
    }
    throw new SealError('not a sealed value');
  }

  #withId(id: string): SecretKey {
    const key = this.#keys.find((k) => k.id === id);
    if (key) return key;
    const { current_key_id: current, previous_key_ids: previous } = this.keyIds;
    throw new SealError(
      `sealed with key id ${id}, which this process does not hold (SECRET_KEY has key id ${current}` +
        `${previous.length > 0 ? `, SECRET_KEYS_PREVIOUS ${previous.join(', ')}` : ', SECRET_KEYS_PREVIOUS is empty'}): ` +
        'add the key with that id to SECRET_KEYS_PREVIOUS',
    );
  }
}

/** The plaintext, or null when the value does not authenticate under this key and associated data. */
function decrypt(key: Buffer, associated: string, payload: string): string | null {
  const raw = Buffer.from(payload, 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new SealError('sealed value is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(associated));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return null;
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
