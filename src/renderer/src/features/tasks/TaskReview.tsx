import type { StoredVerdictView, TaskGatesView } from '../../../../shared/channels/governance';
import type { AgentEvent } from '../../../../shared/domain/events';
import { CouncilVotes } from '../governance/CouncilVotes';
import { GateResults } from '../governance/GateResults';
import { councilFor, currentGates } from './task-review';

/**
 * The task's quality gates and both council reviews, live while they run and from the stored
 * records afterwards: each gate's result, each judge's vote with confidence and reasons, and dissent.
 */
export function TaskReview({ events, gates, verdicts, verifying }: { events: readonly AgentEvent[]; gates: TaskGatesView | null; verdicts: readonly StoredVerdictView[]; verifying: boolean }) {
  const shownGates = currentGates(events, gates?.results ?? null, verifying);
  const plan = councilFor('plan', events, verdicts);
  const change = councilFor('change', events, verdicts);
  return (
    <>
      <div className="card" id="task-gates">
        <GateResults results={shownGates.results} pending={shownGates.pending} />
      </div>
      <div className="card task-council" id="task-council">
        <CouncilVotes title="Plan review" votes={plan.votes} {...(plan.outcome ? { outcome: plan.outcome } : {})} />
        <CouncilVotes title="Change review" votes={change.votes} {...(change.outcome ? { outcome: change.outcome } : {})} />
      </div>
    </>
  );
}
