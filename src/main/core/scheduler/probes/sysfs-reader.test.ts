import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_SYSFS_SENSORS, makeFakeSysfs } from './fake-sysfs';
import { readSysfsTemperatures } from './sysfs-reader';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

describe('readSysfsTemperatures', () => {
  it('reads thermal zones and hwmon chips from a sysfs tree, skipping what cannot be read', async () => {
    const root = makeFakeSysfs();
    roots.push(root);
    expect(await readSysfsTemperatures(root)).toEqual(FAKE_SYSFS_SENSORS);
  });

  it('returns nothing, without failing, where there are no sensors', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'aa-sysfs-empty-'));
    roots.push(empty);
    expect(await readSysfsTemperatures(empty)).toEqual([]);
    expect(await readSysfsTemperatures(join(empty, 'does-not-exist'))).toEqual([]);
  });
});
