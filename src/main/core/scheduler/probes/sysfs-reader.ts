import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SensorTemperature } from '../../../../shared/domain/scheduler';

/** Readings outside this range are firmware placeholders (-273, 255, …), not temperatures. */
const PLAUSIBLE_C = { min: -40, max: 150 };

/**
 * Reads Linux temperature sensors from sysfs: `class/thermal/thermal_zone*` and
 * `class/hwmon/hwmon*`. `root` is the sysfs mount (normally /sys) so tests can point it at a fake
 * tree. Anything missing, unreadable or nonsensical is skipped; an empty list means "no sensors".
 */
export async function readSysfsTemperatures(root = '/sys'): Promise<SensorTemperature[]> {
  const [zones, hwmon] = await Promise.all([readThermalZones(root), readHwmon(root)]);
  return [...zones, ...hwmon];
}

async function readThermalZones(root: string): Promise<SensorTemperature[]> {
  const base = join(root, 'class', 'thermal');
  const out: SensorTemperature[] = [];
  for (const entry of (await list(base)).filter((e) => /^thermal_zone\d+$/.test(e)).sort(byNumber)) {
    const dir = join(base, entry);
    const celsius = milli(await readText(join(dir, 'temp')));
    if (celsius === undefined) continue;
    const type = (await readText(join(dir, 'type'))) ?? entry;
    const critC = await zoneCriticalTrip(dir);
    out.push({ source: 'thermal', label: type, celsius, ...(critC !== undefined ? { critC } : {}) });
  }
  return out;
}

async function zoneCriticalTrip(dir: string): Promise<number | undefined> {
  const files = await list(dir);
  for (const f of files) {
    const m = /^trip_point_(\d+)_type$/.exec(f);
    if (!m || (await readText(join(dir, f))) !== 'critical') continue;
    return milli(await readText(join(dir, `trip_point_${m[1]}_temp`)));
  }
  return undefined;
}

async function readHwmon(root: string): Promise<SensorTemperature[]> {
  const base = join(root, 'class', 'hwmon');
  const out: SensorTemperature[] = [];
  for (const entry of (await list(base)).filter((e) => /^hwmon\d+$/.test(e)).sort(byNumber)) {
    const dir = join(base, entry);
    const chip = (await readText(join(dir, 'name'))) ?? entry;
    const inputs = (await list(dir))
      .map((f) => /^temp(\d+)_input$/.exec(f)?.[1])
      .filter((n): n is string => n !== undefined)
      .sort((a, b) => Number(a) - Number(b));
    for (const n of inputs) {
      const celsius = milli(await readText(join(dir, `temp${n}_input`)));
      if (celsius === undefined) continue;
      const label = (await readText(join(dir, `temp${n}_label`))) ?? `temp${n}`;
      const critC = milli(await readText(join(dir, `temp${n}_crit`)));
      out.push({ source: 'hwmon', label: `${chip} ${label}`, celsius, ...(critC !== undefined ? { critC } : {}) });
    }
  }
  return out;
}

async function list(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

/** Sensor files can fail to read (EIO, ENODATA) while others on the same chip work. */
async function readText(file: string): Promise<string | undefined> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    return text.length > 0 ? text.slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}

/** sysfs reports millidegrees Celsius as an integer. */
function milli(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d+$/.test(text)) return undefined;
  const c = Number(text) / 1000;
  return c > PLAUSIBLE_C.min && c < PLAUSIBLE_C.max ? c : undefined;
}

const byNumber = (a: string, b: string) => Number(/\d+$/.exec(a)?.[0]) - Number(/\d+$/.exec(b)?.[0]);
