import type { AgentEvent } from '../../../shared/domain/events';
import type { CalibrationService } from '../calibration/service';
import type { Journal } from '../journal/journal';
import type { Logger } from '../observability/logger';

/**
 * Turns what people later do with a council decision into calibration outcomes: overriding it says
 * the council was wrong about that subject, promoting a dry-run's patch says its change was good.
 * (An eval's hidden tests record their own outcomes; see eval/service.ts.)
 */
export function bindCalibrationOutcomes(journal: Journal, calibration: CalibrationService, logger: Logger): () => void {
  return journal.subscribe((e: AgentEvent) => {
    try {
      if (e.type === 'council.overridden') {
        calibration.recordForTask(e.taskId, e.payload.decision === 'accept', 'human_override', e.payload.gate === 'plan' ? 'plan' : 'change');
      } else if (e.type === 'change.promoted') {
        calibration.recordForTask(e.taskId, true, 'promoted_dry_run');
      }
    } catch (err) {
      logger.warn({ err, taskId: e.taskId, type: e.type }, 'could not record a calibration outcome');
    }
  });
}
