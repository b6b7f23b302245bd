import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SensorTemperature } from '../../../../shared/domain/scheduler';
import { silentLogger } from '../../observability/logger';
import { FAKE_SYSFS_SENSORS, makeFakeSysfs } from './fake-sysfs';
import { runNativeHelper } from './native-helper';
import { SensorsProbe } from './sensors-probe';

const repo = join(__dirname, '..', '..', '..', '..', '..');
const hasCompiler = spawnSync(process.env['CC'] || 'cc', ['--version']).status === 0;
const byLabel = (a: SensorTemperature, b: SensorTemperature) => a.label.localeCompare(b.label);

let work: string;
let sysfs: string;
let helper: string | undefined;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'aa-native-'));
  sysfs = makeFakeSysfs();
  if (!hasCompiler) return;
  // Built exactly as the install builds it, into a temp folder.
  const out = execFileSync(process.execPath, [join(repo, 'scripts', 'build-native.mjs'), '--out', work, '--quiet', '--json'], {
    encoding: 'utf8',
  });
  const result = JSON.parse(out.trim().split('\n').pop()!) as { ok: boolean; path?: string };
  helper = result.ok ? result.path : undefined;
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(sysfs, { recursive: true, force: true });
});

function script(name: string, body: string): string {
  const path = join(work, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('native thermal helper', () => {
  it.skipIf(!hasCompiler)('builds with the system compiler and reads a sysfs tree like the TypeScript reader', async () => {
    expect(helper).toBeDefined();
    const result = await runNativeHelper(helper!, { sysfsRoot: sysfs });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect([...result.sensors].sort(byLabel)).toEqual([...FAKE_SYSFS_SENSORS].sort(byLabel));
  });

  it.skipIf(!hasCompiler)('prints parseable output for this machine (which may have no sensors at all)', async () => {
    const result = await runNativeHelper(helper!);
    if (process.platform === 'linux' || process.platform === 'darwin') expect(result.ok).toBe(true);
    if (result.ok) for (const s of result.sensors) expect(s.celsius).toBeGreaterThan(-40);
  });

  it('install never fails when the compiler is missing', () => {
    const r = spawnSync(process.execPath, [join(repo, 'scripts', 'build-native.mjs'), '--out', join(work, 'nocc'), '--json'], {
      encoding: 'utf8',
      env: { ...process.env, CC: join(work, 'no-such-compiler') },
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('falls back');
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toMatchObject({ ok: false });
  });

  it('reports a missing binary, garbage output, a wrong shape and a hang as reasons, not throws', async () => {
    expect(await runNativeHelper(join(work, 'missing'))).toMatchObject({ ok: false });
    expect(await runNativeHelper(script('garbage', 'echo "temp: 50C"'))).toEqual({ ok: false, reason: 'the helper printed something that is not JSON' });
    expect(await runNativeHelper(script('shape', 'echo \'{"ok":true,"platform":"linux","sensors":[{"celsius":"hot"}]}\''))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('unexpected helper output'),
    });
    expect(await runNativeHelper(script('unsupported', 'echo \'{"ok":false,"platform":"other","sensors":[],"error":"no reader"}\''))).toEqual({
      ok: false,
      reason: 'no reader',
    });
    const started = Date.now();
    expect(await runNativeHelper(script('hang', 'sleep 5'), { timeoutMs: 200 })).toEqual({ ok: false, reason: 'the helper timed out' });
    expect(Date.now() - started).toBeLessThan(4_000);
  });
});

describe('SensorsProbe', () => {
  it('reads sysfs in-process on Linux and never starts the helper there (a process start stalls the event loop)', async () => {
    let helperCalls = 0;
    const probe = new SensorsProbe({
      logger: silentLogger(),
      helperPath: '/nonexistent/thermal',
      platform: 'linux',
      sysfsRoot: sysfs,
      runHelper: async () => {
        helperCalls++;
        return { ok: true, sensors: [] };
      },
    });
    for (let i = 0; i < 3; i++) expect((await probe.sample()).temperatures).toEqual(FAKE_SYSFS_SENSORS);
    expect(helperCalls).toBe(0);
    expect(probe.status()[0]).toMatchObject({ ok: true, detail: '5 sensor(s) via sysfs' });
  });

  it('stops running a helper that keeps failing', async () => {
    let helperCalls = 0;
    const probe = new SensorsProbe({
      logger: silentLogger(),
      helperPath: '/nonexistent/thermal',
      platform: 'darwin',
      runHelper: async () => {
        helperCalls++;
        return { ok: false, reason: 'broken' };
      },
    });
    for (let i = 0; i < 5; i++) expect(await probe.sample()).toEqual({});
    expect(helperCalls).toBe(3);
    expect(probe.status()[0]).toMatchObject({ ok: true, detail: 'no temperature sensors readable' });
  });

  it('uses the helper when it works and reports no temperatures, not an error, when there are none', async () => {
    const probe = new SensorsProbe({
      logger: silentLogger(),
      helperPath: 'helper',
      platform: 'darwin',
      runHelper: async () => ({ ok: true, sensors: [{ source: 'hid', label: 'PMU tdie1', celsius: 71.5 }] }),
    });
    expect(await probe.sample()).toEqual({ temperatures: [{ source: 'hid', label: 'PMU tdie1', celsius: 71.5 }] });

    const none = new SensorsProbe({ logger: silentLogger(), helperPath: undefined, platform: 'darwin' });
    expect(await none.sample()).toEqual({});
    expect(none.status()[0]).toMatchObject({ ok: true, detail: 'no temperature sensors readable' });
  });
});
