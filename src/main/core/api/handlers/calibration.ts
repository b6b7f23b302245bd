import type { calibrationChannels } from '../../../../shared/channels/calibration';
import { calibrationView } from '../../calibration/view';
import type { AreaHandlers, SessionContext } from './types';

export function calibrationHandlers(ctx: SessionContext): AreaHandlers<keyof typeof calibrationChannels> {
  const { db, calibration } = ctx.core;
  return {
    getCalibration: () => calibrationView(db, calibration),
    setCalibrationMode: (input) => {
      calibration.setMode(input.mode, input.actor);
      return calibrationView(db, calibration);
    },
    fitCalibration: (input) => {
      calibration.fitLocal(input.actor);
      return calibrationView(db, calibration);
    },
  };
}
