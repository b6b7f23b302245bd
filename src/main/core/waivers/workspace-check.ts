import type { Waiver } from '../../../shared/domain/governance';
import type { WaiverCheck } from '../workspace/applier';
import type { WaiverService } from './waiver-service';

/**
 * The workspace applier's budget waiver hook, answered from the waiver service: an active budget
 * waiver for the task's spec approves an overrun its delta covers (or any overrun, when it carries
 * no delta). Approving spends one use of each waiver relied on, as the budget gate does.
 */
export function workspaceWaiverCheck(waivers: WaiverService, scope: { taskId: string; specId: string | null }): WaiverCheck {
  return async (request) => {
    const active = waivers.activeFor('budget', scope.specId);
    const unit = request.rule === 'budget.files' ? 'files' : 'lines';
    const detail = `${request.actual} ${unit} over the limit of ${request.limit} (${request.paths.length} path(s))`;
    let limit = request.limit;
    const used: Waiver[] = [];
    for (const w of active.filter((x) => x.budgetDelta)) {
      limit += w.budgetDelta![unit];
      used.push(w);
      if (request.actual <= limit) return spend(used) ?? { approved: false, reason: 'the waiver could no longer be used' };
    }
    const blanket = active.find((x) => !x.budgetDelta);
    if (blanket) return spend([blanket]) ?? { approved: false, reason: `waiver ${blanket.id} could no longer be used` };
    return { approved: false, reason: active.length ? `active budget waivers do not cover ${detail}` : 'no active budget waiver covers this spec' };

    function spend(list: Waiver[]) {
      try {
        for (const w of list) waivers.recordUse({ waiverId: w.id, taskId: scope.taskId, gate: 'budget', detail });
        return { approved: true as const, waiverId: list.at(-1)!.id };
      } catch {
        return undefined;
      }
    }
  };
}
