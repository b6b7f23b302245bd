import type { ErrorCode } from '../shared/errors';

/** What the process exit status means; scripts branch on these, so they never change meaning. */
export const EXIT = {
  ok: 0,
  /** The operation ran and failed: an invalid spec, a failed or cancelled task, an internal error. */
  failure: 1,
  /** The command line or an input field was wrong. */
  usage: 2,
  notFound: 3,
  /** Not available: no running instance with --remote, another process runs the task engine, a service down. */
  unavailable: 4,
  /** The task's state does not allow it (pause a completed task, approve when nothing waits). */
  conflict: 5,
  /** The running instance refused the token. */
  denied: 6,
  /** Rate limited or timed out; trying again later may work. */
  retryLater: 7,
  /** `--watch` stopped because the task waits for a person (see --wait-for-human); the task goes on waiting. */
  waitingForHuman: 8,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export function exitCodeFor(code: ErrorCode): ExitCode {
  switch (code) {
    case 'invalid_input':
      return EXIT.usage;
    case 'not_found':
      return EXIT.notFound;
    case 'unavailable':
      return EXIT.unavailable;
    case 'conflict':
      return EXIT.conflict;
    case 'unauthorized':
    case 'forbidden':
      return EXIT.denied;
    case 'rate_limited':
    case 'timeout':
      return EXIT.retryLater;
    case 'cancelled':
    case 'internal':
      return EXIT.failure;
  }
}

export const EXIT_CODES_HELP = `Exit codes:
  0    success
  1    the operation failed (invalid spec, task failed or cancelled, internal error)
  2    usage error or invalid input (each bad field is named)
  3    not found (task, file, waiver, model)
  4    not available (no running instance with --remote, another process runs the task engine)
  5    conflict (the task's state does not allow it)
  6    refused: the running instance refused the token, or a tool call was refused (tools call)
  7    rate limited or timed out; try again later
  8    execute --watch stopped because the task waits for a human (--wait-for-human); it goes on waiting
  130  interrupted`;
