import type { taskActionChannels } from '../../../../shared/channels/task-actions';
import { ChangeApplier } from '../../apply/apply-change';
import { PromoteService } from '../../apply/promote';
import { checkRepository } from '../../tasks/repo-check';
import { defaultAllowedRoots } from '../../tasks/target-repo';
import { platformOpener, taskFolder } from '../../tasks/task-folder';
import type { AreaHandlers, SessionContext } from './types';

/** The promote service on the core's services: the same signed apply the engine's apply step makes. */
export function promoteServiceOf(core: SessionContext['core']): PromoteService {
  return new PromoteService({
    db: core.db,
    journal: core.journal,
    logger: core.logger,
    applier: new ChangeApplier({ logger: core.logger, sign: (payload) => core.provenance.sign(payload) }),
    specOf: (taskId) => {
      // The spec only names the commit (subject and trailer); one that no longer parses is named 'none'.
      try {
        const spec = core.governance.currentSpec(taskId)?.spec;
        return spec ? { id: spec.id, title: spec.title } : null;
      } catch (e) {
        core.logger.warn({ err: e, taskId }, 'the task spec could not be read for the promote commit');
        return null;
      }
    },
    verdictOf: (taskId) => {
      const latest = core.governance.verdicts(taskId).filter((v) => v.subject === 'change').at(-1);
      return latest ? `${latest.verdict.decision} (score ${latest.verdict.score.toFixed(2)})` : 'none';
    },
  });
}

/** Retry, promote, a task's folder, and the submit form's repository check. */
export function taskActionHandlers(ctx: SessionContext): AreaHandlers<keyof typeof taskActionChannels> {
  const { core } = ctx;
  const promote = promoteServiceOf(core);
  return {
    // A retry carries the original's attachments (the kept copies, checked by sha256).
    retryTask: (input) => core.tasks.retry(input.id, { within: (original, task) => core.attachments.store(task.id, core.attachments.carried(original.id)) }),
    checkPromote: (input) => promote.check(input.id),
    promoteTask: (input) => promote.promote({ id: input.id, sha256: input.sha256, actor: input.actor, target: input.target }),
    openTaskFolder: (input) => taskFolder(core.db, input.id, input.open, platformOpener),
    // Allowed roots arrive with the API hardening work (issue 16); until then any folder is allowed.
    // The same allowed roots the submit check enforces (Settings, else AGENT_AGENCY_ALLOWED_ROOTS, else home).
    checkRepository: (input) => checkRepository(input.path, () => ctx.core.settings.get().allowedRoots ?? defaultAllowedRoots()),
  };
}
