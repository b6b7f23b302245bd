import type { Logger } from '../../observability/logger';
import type { Timers } from '../timers';
import type { PressureProbe } from '../types';
import { CombinedProbe } from './combined-probe';
import { findNativeHelper } from './native-helper';
import { SensorsProbe } from './sensors-probe';
import { LinuxPsiProbe, MacPressureProbe } from './os-pressure-probe';
import { SystemInformationProbe } from './systeminformation-probe';

/** The OS's own pressure signals for a platform: macOS pmset/notifyutil/sysctl, Linux PSI. */
export function osPressureProbes(platform: NodeJS.Platform = process.platform): PressureProbe[] {
  if (platform === 'darwin') return [new MacPressureProbe()];
  if (platform === 'linux') return [new LinuxPsiProbe()];
  return [];
}

/**
 * The probes a real machine uses. `platformProbes` come first because they are authoritative
 * where they exist (Electron's powerMonitor knows the OS thermal state and speed limit); the OS's
 * own signals come next (on a Mac without Electron — the headless host — they give the thermal
 * state and speed limit; everywhere they give memory pressure); the sensors and systeminformation
 * fill in the rest.
 */
export function createDefaultProbe(options: { logger: Logger; platformProbes?: PressureProbe[]; timers?: Timers; platform?: NodeJS.Platform }): PressureProbe {
  return new CombinedProbe({
    logger: options.logger,
    ...(options.timers ? { timers: options.timers } : {}),
    probes: [
      ...(options.platformProbes ?? []),
      ...osPressureProbes(options.platform),
      new SensorsProbe({ logger: options.logger, helperPath: findNativeHelper() }),
      new SystemInformationProbe(),
    ],
  });
}
