/**
 * Every `error` code of the API's JSON error bodies, with its HTTP status. `POST /cloud_archive` answers the
 * first group (docs/front-end.md lists them; test/unit/front-end-doc.test.ts keeps the two equal); the status
 * routes add the second.
 */
export const START_TRANSFER_ERRORS = {
  invalid_json: 400,
  invalid_body: 400,
  missing_field: 400,
  invalid_field: 400,
  bad_request: 400,
  origin_not_allowed: 403,
  payload_too_large: 413,
  unsupported_media_type: 415,
  internal_error: 500,
  cloud_type_not_supported: 501,
} as const;
export const TRANSFER_STATUS_ERRORS = { not_found: 404, too_many_streams: 429, origin_not_allowed: 403, internal_error: 500 } as const;
export type ApiErrorCode = keyof typeof START_TRANSFER_ERRORS | keyof typeof TRANSFER_STATUS_ERRORS;

/** The JSON error body every endpoint uses. */
export interface ErrorBody {
  error: string;
  message: string;
  field?: string;
}

/** An error that becomes an HTTP response as it stands: thrown from a handler, rendered by the error middleware. */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return this.field === undefined
      ? { error: this.code, message: this.message }
      : { error: this.code, message: this.message, field: this.field };
  }
}
