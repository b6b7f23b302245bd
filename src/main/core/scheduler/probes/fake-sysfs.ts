import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Builds a small fake sysfs tree in a temp folder, the shape a Linux laptop exposes, including
 * the awkward parts: unreadable inputs, garbage values, placeholders and missing labels.
 * Returns the root (pass it where /sys would go).
 */
export function makeFakeSysfs(): string {
  const root = mkdtempSync(join(tmpdir(), 'aa-sysfs-'));
  const file = (path: string, text: string) => {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  };
  // A package sensor with a critical trip point.
  file('class/thermal/thermal_zone0/type', 'x86_pkg_temp\n');
  file('class/thermal/thermal_zone0/temp', '54000\n');
  file('class/thermal/thermal_zone0/trip_point_0_type', 'passive\n');
  file('class/thermal/thermal_zone0/trip_point_0_temp', '90000\n');
  file('class/thermal/thermal_zone0/trip_point_1_type', 'critical\n');
  file('class/thermal/thermal_zone0/trip_point_1_temp', '105000\n');
  // A zone whose temp is garbage, one that is a firmware placeholder, one with no temp at all.
  file('class/thermal/thermal_zone1/type', 'acpitz\n');
  file('class/thermal/thermal_zone1/temp', 'not a number\n');
  file('class/thermal/thermal_zone2/type', 'iwlwifi_1\n');
  file('class/thermal/thermal_zone2/temp', '-273000\n');
  file('class/thermal/thermal_zone3/type', 'empty\n');
  // Not a zone: cooling devices live next to zones and must be ignored.
  file('class/thermal/cooling_device0/cur_state', '3\n');
  // hwmon: coretemp with a label and crit, one core without a label, one input that is a folder.
  file('class/hwmon/hwmon2/name', 'coretemp\n');
  file('class/hwmon/hwmon2/temp1_input', '61500\n');
  file('class/hwmon/hwmon2/temp1_label', 'Package id 0\n');
  file('class/hwmon/hwmon2/temp1_crit', '100000\n');
  file('class/hwmon/hwmon2/temp2_input', '58000\n');
  mkdirSync(join(root, 'class/hwmon/hwmon2/temp3_input'), { recursive: true });
  // An NVMe drive, and a chip with no name file.
  file('class/hwmon/hwmon10/name', 'nvme\n');
  file('class/hwmon/hwmon10/temp1_input', '39850\n');
  file('class/hwmon/hwmon10/temp1_label', 'Composite\n');
  file('class/hwmon/hwmon11/temp1_input', '45000\n');
  return root;
}

/** What a correct reader finds in `makeFakeSysfs()`, in reading order. */
export const FAKE_SYSFS_SENSORS = [
  { source: 'thermal', label: 'x86_pkg_temp', celsius: 54, critC: 105 },
  { source: 'hwmon', label: 'coretemp Package id 0', celsius: 61.5, critC: 100 },
  { source: 'hwmon', label: 'coretemp temp2', celsius: 58 },
  { source: 'hwmon', label: 'nvme Composite', celsius: 39.85 },
  { source: 'hwmon', label: 'hwmon11 temp1', celsius: 45 },
];
