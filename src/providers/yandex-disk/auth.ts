import { TransferError } from '../../shared/errors';
import { postToYandexId } from './yandex-id';

export interface YandexOAuthSettings {
  clientId: string;
  clientSecret: string;
  tokenUrl: string;
  revokeUrl: string;
}

const TOKEN_REQUEST_TIMEOUT_MS = 10_000;

/**
 * The access token of one transfer, obtained from its refresh token on first use and again after a 401.
 * Yandex tokens live for months, so one refresh per worker process and transfer is the norm. Access tokens
 * live only in this process's memory; concurrent callers share one refresh.
 */
export class YandexAuth {
  #token: Promise<string> | null = null;

  constructor(private readonly settings: YandexOAuthSettings, private readonly refreshToken: string) {}

  async authorization(): Promise<string> {
    this.#token ??= this.#refresh();
    const pending = this.#token;
    try {
      return `OAuth ${await pending}`;
    } catch (err) {
      if (this.#token === pending) this.#token = null; // let the next call try again
      throw err;
    }
  }

  /** After a 401 the token is dead whatever Yandex said about its lifetime. */
  invalidate(): void {
    this.#token = null;
  }

  /** Gives the grant back: revoking the access token ends the refresh token too. */
  async revoke(): Promise<void> {
    const token = await this.#refresh().catch((err: unknown) => {
      // Already revoked or expired is the state we want.
      if (err instanceof TransferError && err.code === 'auth_revoked') return null;
      throw err;
    });
    if (token) await this.#post(this.settings.revokeUrl, { access_token: token });
  }

  async #refresh(): Promise<string> {
    const body = await this.#post(this.settings.tokenUrl, { grant_type: 'refresh_token', refresh_token: this.refreshToken });
    if (typeof body.access_token !== 'string' || !body.access_token) {
      throw new TransferError('auth_unavailable', 'Yandex ID answered a refresh without an access token', true);
    }
    return body.access_token;
  }

  async #post(url: string, form: Record<string, string>): Promise<Record<string, unknown>> {
    const { ok, status, body } = await postToYandexId(url, this.settings, form, TOKEN_REQUEST_TIMEOUT_MS).catch((err: unknown) => {
      throw new TransferError('auth_unavailable', `could not reach Yandex ID: ${(err as Error).message}`, true);
    });
    if (ok) return body;
    if (body.error === 'invalid_grant') {
      throw new TransferError('auth_revoked', 'Yandex no longer accepts our access to this Disk (revoked by the user or expired); the client must press "Save to Yandex Disk" again', false, { accountWide: true });
    }
    if (status >= 400 && status < 500) {
      throw new TransferError('auth_rejected', `Yandex ID refused our token request (HTTP ${status}${typeof body.error === 'string' ? `, ${body.error}` : ''})`, false, { accountWide: true });
    }
    throw new TransferError('auth_unavailable', `Yandex ID answered HTTP ${status}`, true);
  }
}
