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
    readonly code: string,
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
