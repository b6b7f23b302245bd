import type { ApprovalGate } from '../../shared/domain/task';
import type { ShellAction } from './tray-model';

/**
 * What a person can do about a waiting task, by what it waits for. An escalation (the council or the
 * gates could not settle) is not approved: it is overridden with a reason, or denied. A reason cannot
 * be typed into a menu or a notification, so there the override opens the task in the window, where
 * the override form asks for it. Pure, so it is tested directly.
 */
export type ApprovalVerb = { label: string; action: ShellAction };

export function approvalVerbs(taskId: string, gate: ApprovalGate): ApprovalVerb[] {
  if (gate === 'escalation') {
    return [
      { label: 'Override with a reason…', action: { kind: 'open-task', taskId, focus: 'override' } },
      { label: 'Deny', action: { kind: 'deny', taskId, gate } },
    ];
  }
  return [
    { label: `Approve ${gate}`, action: { kind: 'approve', taskId, gate } },
    { label: `Deny ${gate}`, action: { kind: 'deny', taskId, gate } },
  ];
}

/** Whether `approve` is a verb for this gate at all; an approve of an escalation is refused, with why. */
export function approveRefusal(gate: ApprovalGate): string | null {
  return gate === 'escalation' ? 'an escalation cannot be approved: override it with a reason (accept or reject), or deny it' : null;
}
