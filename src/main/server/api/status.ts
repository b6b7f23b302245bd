import type { AppError, ErrorCode } from '../../../shared/errors';

/** HTTP status of each error code; REST clients read the status, scripts read the code. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  // The caller (or the task) was cancelled; the request itself cannot be carried out as asked.
  cancelled: 409,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
  timeout: 504,
};

/** Error code of an HTTP status that did not come from the contract (parser, router, plugins). */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 429:
      return 'rate_limited';
    case 503:
      return 'unavailable';
    case 504:
      return 'timeout';
    default:
      return status >= 400 && status < 500 ? 'invalid_input' : 'internal';
  }
}

/** The body of every error reply: the contract's error, as data. */
export const errorBody = (error: AppError) => ({ ok: false as const, error });
