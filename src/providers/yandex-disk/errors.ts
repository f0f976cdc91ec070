import { RateLimitedError, TransferError, UnauthorizedError } from '../../shared/errors';
import { Headers, retryAfterMs } from '../retry-after';

/**
 * Yandex Disk's HTTP answers → the shared retry vocabulary. Error bodies are
 * {"message","description","error":"<Name>"} (https://yandex.ru/dev/disk-api/doc/en/); names after the yadisk
 * and rclone clients' maps.
 */

/** A non-2xx answer, as thrown by YandexApi. */
export class YandexHttpError extends Error {
  override name = 'YandexHttpError';
  constructor(
    readonly status: number,
    /** The `error` name from the body, e.g. DiskPathPointsToExistentDirectoryError. */
    readonly error: string | undefined,
    readonly description: string | undefined,
    readonly headers: Headers,
  ) {
    super(`Yandex Disk answered HTTP ${status}${error ? ` (${error})` : ''}`);
  }
}

/** 409, with Yandex's name for the conflict: "already exists" means different things for folders and files. */
export class YandexConflictError extends TransferError {
  override name = 'YandexConflictError';
  constructor(readonly yandexError: string | undefined, message: string) {
    super('yadisk_conflict', message, false);
  }
}

export function classifyYandexError(err: YandexHttpError, what: string): TransferError {
  const { status, error } = err;
  const name = error ? ` (${error})` : '';
  if (status === 429) return new RateLimitedError(`Yandex Disk rate limit while ${what}`, retryAfterMs(err.headers));
  if (status === 401) return new UnauthorizedError('yadisk_unauthorized', `Yandex Disk rejected the access token while ${what}`);
  if (status === 403) {
    if (error === 'DiskUnsupportedUserAccountTypeError') {
      return new TransferError('yadisk_account_unsupported', `this Yandex account cannot use Yandex Disk (no Yandex Mail) — while ${what}`, false, { accountWide: true });
    }
    return new TransferError('yadisk_forbidden', `Yandex Disk refused ${what}${name}`, false);
  }
  if (status === 507) return new TransferError('yadisk_storage_full', `the user's Yandex Disk is full (while ${what})`, false, { accountWide: true });
  if (status === 413) return new TransferError('yadisk_file_too_large', `the file is larger than Yandex Disk accepts for this account (while ${what})`, false);
  if (status === 404) return new TransferError('yadisk_not_found', `Yandex Disk could not find the target while ${what}${name}`, false);
  if (status === 409) return new YandexConflictError(error, `Yandex Disk already has this item (${what})${name}`);
  // 423: the resource is locked (being written, or the upload traffic limit): it clears by itself.
  if (status === 423 || status === 408 || status >= 500) return new TransferError('yadisk_unavailable', `Yandex Disk answered HTTP ${status} while ${what}${name}`, true);
  return new TransferError('yadisk_bad_request', `Yandex Disk refused ${what} with HTTP ${status}${name}`, false);
}

/** The classifier for ProviderCaller. */
export function toYandexError(err: unknown, what: string): TransferError {
  if (err instanceof TransferError) return err;
  if (err instanceof YandexHttpError) return classifyYandexError(err, what);
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e.cause?.code ?? e.code ?? e.name;
  return new TransferError('yadisk_network', `connection to Yandex Disk failed while ${what} (${code})`, true);
}
