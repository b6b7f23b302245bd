import type { Clock, Journal } from '../journal/journal';
import type { Logger } from '../observability/logger';
import { detectSandbox } from './detect';
import { useSandboxService } from './default-service';
import { SandboxService, type FinishedRun, type UnsandboxedRun } from './sandbox-service';

/**
 * Builds the app's sandbox service once detection finishes and installs it for every command
 * runner: the user's "run commands without a sandbox" setting is read at each run, and each such
 * run is journaled on its task as `sandbox.unsandboxed`. Until detection ends, runners use this
 * machine's sandbox without the override (fail closed).
 */
/** Journals each run without a sandbox on its task as `sandbox.unsandboxed`. */
export function journalUnsandboxedRuns(options: { journal: Journal; clock: Clock; logger: Logger }): (run: UnsandboxedRun) => void {
  let n = 0;
  return (run: UnsandboxedRun) => {
    if (!run.taskId) return;
    const command = typeof run.command === 'string' ? run.command : run.command.join(' ');
    try {
      options.journal.append(run.taskId, { type: 'sandbox.unsandboxed', payload: { command, cwd: run.cwd, policy: run.policy } }, `${run.taskId}:unsandboxed:${options.clock.now()}:${++n}`);
    } catch (e) {
      options.logger.warn({ err: e, taskId: run.taskId }, 'could not journal a run without a sandbox');
    }
  };
}

export function installAppSandbox(options: {
  journal: Journal;
  clock: Clock;
  logger: Logger;
  runWithoutSandbox: () => boolean;
  onRun?: (run: FinishedRun) => void;
  /** Whether a task was granted network on submit (read at each run of that task). */
  networkGrant?: (taskId: string) => boolean;
}): Promise<SandboxService> {
  const onUnsandboxedRun = journalUnsandboxedRuns(options);
  return detectSandbox().then((detection) => {
    const service = new SandboxService({
      logger: options.logger,
      detection,
      allowUnsandboxed: options.runWithoutSandbox,
      onUnsandboxedRun,
      ...(options.onRun ? { onRun: options.onRun } : {}),
      ...(options.networkGrant ? { networkGrant: options.networkGrant } : {}),
    });
    useSandboxService(service);
    const status = service.status();
    if (status.available) options.logger.info({ sandbox: status.description }, 'sandbox ready');
    else options.logger.warn({ reason: status.reason, installHint: status.installHint }, 'no sandbox: model-, spec- and tool-caused commands will be refused');
    return service;
  });
}
