import type { StandingApproval } from '../../../shared/channels/intervention';
import type { Actor } from '../../../shared/domain/events';
import { AppFailure } from '../../../shared/errors';
import type { Db } from '../db/open';
import { getStandingApproval, markStandingApprovalRevoked } from '../db/queries/standing-approvals';
import type { Clock, Journal } from '../journal/journal';

/**
 * Revokes a standing approval: the row is kept (marked revoked, with who did it) and the revocation
 * is journaled in the same transaction, so the audit trail says who allowed what and who took it back.
 * The engine reads live standing approvals inside its own transactions, so a gate reached after this
 * commits stops for a human.
 */
export function revokeStandingApproval(
  deps: { db: Db; journal: Journal; clock: Clock },
  input: { taskId: string; approvalId: number; actor: Actor },
): StandingApproval {
  return deps.journal.transaction(() => {
    const found = getStandingApproval(deps.db, input.approvalId);
    if (!found || found.taskId !== input.taskId) {
      throw new AppFailure('not_found', `task ${input.taskId} has no standing approval #${input.approvalId}`);
    }
    if (found.revokedAt !== null) {
      throw new AppFailure('conflict', `standing approval #${found.id} was already revoked by ${found.revokedBy?.who ?? 'someone'}`);
    }
    const now = deps.clock.now();
    markStandingApprovalRevoked(deps.db, found.id, input.actor, now);
    deps.journal.append(
      input.taskId,
      { type: 'approval.revoked', payload: { approvalId: found.id, gate: found.gate, scope: found.scope, actor: input.actor } },
      `${input.taskId}:standing${found.id}:revoked`,
    );
    return { ...found, revokedAt: now, revokedBy: input.actor };
  });
}
