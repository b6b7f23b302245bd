import { AppFailure, type ErrorCode } from '../../../shared/errors';

/** Codes that describe a passing condition (a busy model, a slow gate) rather than a wrong request. */
export const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set(['unavailable', 'timeout', 'rate_limited']);

/** Socket and file-system conditions that usually clear on their own. */
const TRANSIENT_ERRNO = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EBUSY']);

/**
 * What a step throws when it knows whether trying again could help. Plain `AppFailure`s are judged
 * by their code; anything else is an internal error and not retried.
 */
export class StepFailure extends AppFailure {
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  constructor(code: ErrorCode, message: string, options: { retryable?: boolean; retryAfterMs?: number } = {}) {
    super(code, message);
    this.name = 'StepFailure';
    this.retryable = options.retryable ?? RETRYABLE_CODES.has(code);
    this.retryAfterMs = options.retryAfterMs;
  }
}

export type ClassifiedError = {
  code: ErrorCode;
  message: string;
  retryable: boolean;
  /** The earliest a retry makes sense (an open breaker's cool-down, a rate limit's hint). */
  retryAfterMs?: number | undefined;
};

export function classifyError(error: unknown): ClassifiedError {
  if (error instanceof StepFailure) {
    return { code: error.code, message: error.message, retryable: error.retryable, retryAfterMs: error.retryAfterMs };
  }
  if (error instanceof AppFailure) {
    return { code: error.code, message: error.message, retryable: RETRYABLE_CODES.has(error.code) };
  }
  if (error instanceof Error) {
    const errno = (error as NodeJS.ErrnoException).code;
    if (errno && TRANSIENT_ERRNO.has(errno)) return { code: 'unavailable', message: error.message, retryable: true };
    if (error.name === 'AbortError') return { code: 'cancelled', message: error.message || 'aborted', retryable: false };
    if (error.name === 'TimeoutError') return { code: 'timeout', message: error.message || 'timed out', retryable: true };
    return { code: 'internal', message: error.message || error.name, retryable: false };
  }
  return { code: 'internal', message: String(error), retryable: false };
}

/** A state change the lifecycle does not allow, named so a caller can show it as it is. */
export class TransitionRejected extends AppFailure {
  constructor(
    code: 'conflict' | 'invalid_input',
    message: string,
    readonly from: string,
    readonly event: string,
  ) {
    super(code, message);
    this.name = 'TransitionRejected';
  }
}
