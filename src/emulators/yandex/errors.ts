import { PageError as SharedPageError, ReplyError, retryAfterHeader } from '../shared/errors';
import { escapeHtml, htmlReply, jsonReply, type Reply } from '../shared/http';

export { OAuthError } from '../shared/errors';

/**
 * A Disk API error, rendered as {"message","description","error"}: Yandex puts a Russian,
 * user-facing text in `message`, an English one in `description` and the class name in `error`.
 */
export class DiskError extends ReplyError {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    readonly russian: string = description,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${error}: ${description}`);
  }

  toReply(): Reply {
    return jsonReply(this.status, { message: this.russian, description: this.description, error: this.error }, this.headers);
  }
}

export const unauthorized = (): DiskError => new DiskError(401, 'UnauthorizedError', 'Unauthorized', 'Не авторизован.');

export const fieldValidation = (field: string, why: string): DiskError =>
  new DiskError(400, 'FieldValidationError', `Error validating field "${field}": ${why}`, `Ошибка проверки поля "${field}": ${why}`);

export const notFound = (path: string): DiskError =>
  new DiskError(404, 'DiskNotFoundError', 'Resource not found.', `Не удалось найти запрошенный ресурс: "${path}".`);

export const alreadyExists = (path: string): DiskError =>
  new DiskError(409, 'DiskResourceAlreadyExistsError', `Resource "${path}" already exists.`, `Ресурс "${path}" уже существует.`);

export const directoryExists = (path: string): DiskError =>
  new DiskError(
    409,
    'DiskPathPointsToExistentDirectoryError',
    `Specified path "${path}" points to existent directory.`,
    `По указанному пути "${path}" уже существует папка с таким именем.`,
  );

export const parentMissing = (path: string): DiskError =>
  new DiskError(409, 'DiskPathDoesntExistsError', `Specified path "${path}" doesn't exists.`, `Указанного пути "${path}" не существует.`);

export const insufficientStorage = (): DiskError =>
  new DiskError(507, 'InsufficientStorageError', 'Insufficient storage.', 'Недостаточно свободного места.');

export const payloadTooLarge = (max: number): DiskError =>
  new DiskError(413, 'PayloadTooLarge', `File is larger than ${max} bytes.`, 'Размер файла превышает допустимый.');

export const uploadLinkNotFound = (): DiskError =>
  new DiskError(404, 'DiskUploadLinkNotFoundError', 'Upload link not found.', 'Ссылка для загрузки не найдена.');

/** The uploader's answer for a href past its lifetime; the name is the emulator's (clients go by the status). */
export const uploadLinkExpired = (): DiskError =>
  new DiskError(410, 'DiskUploadLinkExpiredError', 'Upload link expired.', 'Срок действия ссылки для загрузки истёк.');

export const operationNotFound = (): DiskError =>
  new DiskError(404, 'DiskOperationNotFoundError', 'Operation not found.', 'Операция не найдена.');

export const tooManyRequests = (retryAfterSeconds?: number): DiskError =>
  new DiskError(
    429,
    'TooManyRequestsError',
    'Too Many Requests',
    'Слишком много запросов.',
    retryAfterHeader(retryAfterSeconds),
  );

const INJECTED_NAMES: Record<number, string> = {
  400: 'FieldValidationError',
  401: 'UnauthorizedError',
  403: 'ForbiddenError',
  404: 'DiskNotFoundError',
  409: 'DiskResourceAlreadyExistsError',
  410: 'DiskUploadLinkExpiredError',
  413: 'PayloadTooLarge',
  423: 'DiskResourceLockedError',
  429: 'TooManyRequestsError',
  503: 'ServiceUnavailableError',
  507: 'InsufficientStorageError',
};

/** Error for an injected `{ status }` fault on a Disk API or uploader route. */
export function injectedDiskError(status: number, error?: string, message?: string, retryAfter?: number): DiskError {
  const headers = retryAfterHeader(retryAfter);
  const name = error ?? INJECTED_NAMES[status] ?? (status >= 500 ? 'InternalServerError' : 'BadRequestError');
  const text = message ?? (status >= 500 ? 'Internal Server Error' : name);
  return new DiskError(status, name, text, text, headers);
}

/** Yandex ID's error page. */
export class PageError extends SharedPageError {
  toReply(): Reply {
    return htmlReply(
      this.status,
      `<!doctype html><html><head><meta charset="utf-8"><title>Yandex ID: ${escapeHtml(this.code)}</title></head>` +
        `<body><h1>Authorization error</h1><p>${escapeHtml(this.code)}</p><p>${escapeHtml(this.detail)}</p></body></html>`,
    );
  }
}
