import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, testCore } from '../../../../test/helpers';
import { AppSettingsPatch } from '../../../shared/channels/settings';
import { AppFailure } from '../../../shared/errors';
import { setSetting } from '../db/queries/settings';
import { readDataDirPointer } from './data-dir-pointer';
import { APP_SETTINGS_KEY, SettingsService } from './settings-service';

let core: ReturnType<typeof testCore>;
let home: ReturnType<typeof tempDir>;
let settings: SettingsService;

beforeEach(() => {
  core = testCore({ scheduler: { autoStart: false } });
  home = tempDir('aa-home-');
  settings = new SettingsService({ db: core.db, clock: { now: () => 1 }, logger: core.logger, dataDir: core.dataDir, dataDirPointer: join(home.dir, 'data-folder.json'), cpuCount: 8, performanceCores: 4 });
});
afterEach(() => {
  core.cleanup();
  home.cleanup();
});

const update = (patch: unknown) => settings.update(AppSettingsPatch.parse(patch), 'test');

function failure(f: () => unknown): AppFailure {
  try {
    f();
  } catch (e) {
    if (e instanceof AppFailure) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

describe('settings', () => {
  it('starts from defaults and keeps changes across a restart', () => {
    expect(settings.get()).toEqual({ modelsDir: join(core.dataDir, 'models'), threads: 4, theme: 'system', gateCommands: {}, allowedRoots: [tmpdir()], runWithoutSandbox: false, idleUnloadMinutes: 10, keepTaskTraces: true, traceViewerUrl: '' });
    update({ threads: 6, theme: 'dark', gateCommands: { tests: 'npm test' } });
    const again = new SettingsService({ db: core.db, clock: { now: () => 2 }, logger: core.logger, dataDir: core.dataDir, cpuCount: 8, performanceCores: 4 });
    expect(again.get()).toMatchObject({ threads: 6, theme: 'dark', gateCommands: { tests: 'npm test' } });
  });

  it('refuses invalid values with the field named, and keeps the old ones', () => {
    expect(failure(() => update({ threads: 9 })).issues?.[0]).toMatchObject({ path: 'threads' });
    expect(() => AppSettingsPatch.parse({ threads: 0 })).toThrow();
    expect(() => AppSettingsPatch.parse({ modelsDir: 'relative/models' })).toThrow(/absolute/);
    expect(() => AppSettingsPatch.parse({ theme: 'sepia' })).toThrow();
    expect(settings.get().threads).toBe(4);
  });

  it('defaults threads to the performance cores (as the docs say), never above what the machine offers', () => {
    const make = (cpuCount: number, cores: number) =>
      new SettingsService({ db: core.db, clock: { now: () => 1 }, logger: core.logger, dataDir: core.dataDir, cpuCount, performanceCores: cores }).defaults.threads;
    expect(make(12, 8)).toBe(8);
    expect(make(4, 8)).toBe(4);
    expect(make(8, 0)).toBe(1);
  });

  it('keeps the idle-unload time as a setting; the running model service follows a change at once', () => {
    expect(core.settings.get().idleUnloadMinutes).toBe(10);
    expect(core.models.host.idleUnloadMs).toBe(10 * 60_000);
    core.settings.update(AppSettingsPatch.parse({ idleUnloadMinutes: 3 }), 'test');
    expect(core.models.host.idleUnloadMs).toBe(3 * 60_000);
    core.settings.update(AppSettingsPatch.parse({ idleUnloadMinutes: 0 }), 'test');
    expect(core.models.host.idleUnloadMs).toBe(0);
    const bad = AppSettingsPatch.safeParse({ idleUnloadMinutes: -1 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({ path: ['idleUnloadMinutes'], message: 'must be 0 (never) or more' });
    expect(AppSettingsPatch.safeParse({ idleUnloadMinutes: 1.5 }).error?.issues[0]?.path).toEqual(['idleUnloadMinutes']);
  });

  it('takes a trace viewer address with {traceId} in it, and names the field when it is not one', () => {
    update({ traceViewerUrl: 'http://127.0.0.1:16686/trace/{traceId}?uiFind={spanId}', keepTaskTraces: false });
    expect(settings.get()).toMatchObject({ traceViewerUrl: 'http://127.0.0.1:16686/trace/{traceId}?uiFind={spanId}', keepTaskTraces: false });
    for (const [bad, message] of [
      ['http://127.0.0.1:16686/search', /\{traceId\}/],
      ['ftp://viewer/{traceId}', /http or https/],
      ['jaeger/trace/{traceId}', /http or https/],
    ] as const) {
      const r = AppSettingsPatch.safeParse({ traceViewerUrl: bad });
      expect(r.success, bad).toBe(false);
      expect(r.error?.issues[0]?.path).toEqual(['traceViewerUrl']);
      expect(r.error?.issues.map((i) => i.message).join(' ')).toMatch(message);
    }
    expect(AppSettingsPatch.safeParse({ traceViewerUrl: '' }).success).toBe(true);
  });

  it('creates the models folder it is given', () => {
    const dir = join(home.dir, 'models', 'gguf');
    update({ modelsDir: dir });
    expect(existsSync(dir)).toBe(true);
    expect(settings.get().modelsDir).toBe(dir);
  });

  it('falls back per field when the stored value is damaged', () => {
    setSetting(core.db, APP_SETTINGS_KEY, JSON.stringify({ threads: 'many', theme: 'light' }), 'test', 1);
    expect(settings.get()).toMatchObject({ threads: 4, theme: 'light' });
    setSetting(core.db, APP_SETTINGS_KEY, '{not json', 'test', 1);
    expect(settings.get().theme).toBe('system');
  });

  it('tells listeners about changes (the desktop follows the theme)', () => {
    const seen: string[] = [];
    settings.onChange((s) => seen.push(s.theme));
    update({ theme: 'light' });
    expect(seen).toEqual(['light']);
  });

  it('chooses a data folder for the next start without moving the current one', () => {
    const next = join(home.dir, 'elsewhere');
    const view = settings.setDataDir(next);
    expect(view.dataDir).toEqual({ current: core.dataDir, next, changeable: true });
    expect(readDataDirPointer(join(home.dir, 'data-folder.json'))).toBe(next);
    // Choosing the current folder again cancels the pending change.
    expect(settings.setDataDir(core.dataDir).dataDir.next).toBeNull();
  });

  it('cannot change a data folder fixed at start', () => {
    const fixed = new SettingsService({ db: core.db, clock: { now: () => 1 }, logger: core.logger, dataDir: core.dataDir });
    expect(fixed.view().dataDir.changeable).toBe(false);
    expect(failure(() => fixed.setDataDir(join(home.dir, 'x'))).code).toBe('forbidden');
  });
});
