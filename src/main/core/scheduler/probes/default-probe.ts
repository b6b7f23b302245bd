import type { Logger } from '../../observability/logger';
import type { Timers } from '../timers';
import type { PressureProbe } from '../types';
import { CombinedProbe } from './combined-probe';
import { findNativeHelper } from './native-helper';
import { SensorsProbe } from './sensors-probe';
import { SystemInformationProbe } from './systeminformation-probe';

/**
 * The probes a real machine uses. `platformProbes` come first because they are authoritative
 * where they exist (Electron's powerMonitor knows the OS thermal state and speed limit); the
 * sensors and systeminformation fill in what they do not know.
 */
export function createDefaultProbe(options: { logger: Logger; platformProbes?: PressureProbe[]; timers?: Timers }): PressureProbe {
  return new CombinedProbe({
    logger: options.logger,
    ...(options.timers ? { timers: options.timers } : {}),
    probes: [
      ...(options.platformProbes ?? []),
      new SensorsProbe({ logger: options.logger, helperPath: findNativeHelper() }),
      new SystemInformationProbe(),
    ],
  });
}
