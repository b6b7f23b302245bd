import type { SensorTemperature } from '../../../../shared/domain/scheduler';
import type { Logger } from '../../observability/logger';
import type { PressureProbe, ProbeReading, ProbeStatus } from '../types';
import { runNativeHelper, type NativeResult } from './native-helper';
import { readSysfsTemperatures } from './sysfs-reader';

export type SensorsProbeOptions = {
  logger: Logger;
  /** The built native helper; undefined when the install could not build it. */
  helperPath: string | undefined;
  platform?: NodeJS.Platform;
  /** sysfs mount for the portable Linux reader (tests point it at a fake tree). */
  sysfsRoot?: string;
  /** Lets tests pass a fake runner. */
  runHelper?: (binary: string) => Promise<NativeResult>;
};

/** After this many failures in a row the helper is left alone for the rest of the run. */
const MAX_HELPER_FAILURES = 3;

/**
 * Temperatures: on Linux the TypeScript sysfs reader, in-process; elsewhere the native helper (the
 * only reader of Apple Silicon SoC sensors), left alone after repeated failures; and nothing at all
 * — not an error — on a machine that exposes no sensors.
 */
export class SensorsProbe implements PressureProbe {
  readonly name = 'sensors';
  private readonly logger: Logger;
  private helperPath: string | undefined;
  private readonly platform: NodeJS.Platform;
  private readonly sysfsRoot: string;
  private readonly runHelper: (binary: string) => Promise<NativeResult>;
  private helperFailures = 0;
  private last: ProbeStatus = { name: 'sensors', ok: true, detail: 'not sampled yet' };

  constructor(options: SensorsProbeOptions) {
    this.logger = options.logger;
    this.helperPath = options.helperPath;
    this.platform = options.platform ?? process.platform;
    this.sysfsRoot = options.sysfsRoot ?? '/sys';
    this.runHelper = options.runHelper ?? ((binary) => runNativeHelper(binary));
  }

  async sample(): Promise<ProbeReading> {
    let sensors: SensorTemperature[] | undefined;
    let via = '';
    // On Linux the helper reads the same sysfs files as the in-process reader, and starting a
    // process from a large one (Electron's main, the headless host) blocks its event loop while the
    // kernel copies it: every sample stalled the API for tens of milliseconds. So Linux reads sysfs
    // here; elsewhere the helper is the only reader (Apple Silicon SoC sensors).
    if (this.platform === 'linux') {
      sensors = await readSysfsTemperatures(this.sysfsRoot);
      via = 'sysfs';
    }
    if (sensors === undefined && this.helperPath) {
      const result = await this.runHelper(this.helperPath);
      if (result.ok) {
        this.helperFailures = 0;
        sensors = result.sensors;
        via = 'native helper';
      } else if (++this.helperFailures >= MAX_HELPER_FAILURES) {
        this.logger.warn({ reason: result.reason }, 'native thermal helper keeps failing; reading no temperatures');
        this.helperPath = undefined;
      }
    }
    const count = sensors?.length ?? 0;
    this.last = { name: this.name, ok: true, detail: count > 0 ? `${count} sensor(s) via ${via}` : 'no temperature sensors readable' };
    return count > 0 ? { temperatures: sensors } : {};
  }

  status(): ProbeStatus[] {
    return [this.last];
  }
}
