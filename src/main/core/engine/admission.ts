import type { Priority } from '../../../shared/domain/task';
import { unlimitedAdmission, type Slot, type SlotRequest, type WorkPriority } from '../scheduler/admission';
import type { StepName, WorkPhase } from './phases';

/**
 * Where the scheduler plugs into the engine: a worker asks for admission before every step attempt
 * and releases it when the attempt ends. Any `InferenceAdmission` fits, because this request is a
 * `SlotRequest` with the task's own priority added.
 */
export type StepAdmissionRequest = SlotRequest & { taskPriority: Priority; step: StepName; phase: WorkPhase };

export interface StepAdmission {
  acquire(request: StepAdmissionRequest): Promise<Slot>;
}

export const admitEverything: StepAdmission = unlimitedAdmission;

/** Council reviews outrank background work in the scheduler's order (see DESIGN.md, Scheduler). */
export function workPriorityOf(step: StepName): WorkPriority {
  return step === 'reviewPlan' || step === 'reviewChange' ? 'council' : 'background';
}

/** Asks the scheduler for a slot for one attempt at the run's step; released when the attempt ends. */
export function acquireStepSlot(
  admission: StepAdmission,
  run: { taskId: string; step: StepName; phase: WorkPhase; priority: Priority },
  signal: AbortSignal,
): Promise<Slot> {
  return admission.acquire({
    priority: workPriorityOf(run.step),
    label: `${run.step} for ${run.taskId}`,
    taskId: run.taskId,
    taskPriority: run.priority,
    step: run.step,
    phase: run.phase,
    signal,
  });
}
