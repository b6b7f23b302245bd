import { describe, expect, it } from 'vitest';
import type { Task, TaskState } from '../../shared/domain/task';
import { trayMenu, type TrayItem } from './tray-model';

let n = 0;
const task = (state: TaskState, description = `task ${++n}`, progress = 40): Task => ({
  id: `tsk_${String(++n).padStart(10, '0')}`,
  description,
  repoPath: '/r',
  mode: 'strict',
  riskTier: 2,
  priority: 'normal',
  maxIterations: 5,
  state,
  progress,
  createdAt: 1,
  updatedAt: 1,
  spec: null,
});

const labels = (items: TrayItem[]): string[] => items.flatMap((i) => (i.type === 'item' ? [i.label] : i.type === 'submenu' ? [i.label, ...labels(i.items).map((l) => `  ${l}`)] : ['—']));
const find = (items: TrayItem[], label: RegExp): TrayItem | undefined =>
  items.flatMap((i) => (i.type === 'submenu' ? [i, ...i.items] : [i])).find((i) => i.type !== 'separator' && label.test(i.label));

describe('menu-bar menu', () => {
  it('lists running tasks with their phase, approvals with approve and deny, and the machine state', () => {
    const running = task({ kind: 'executing' }, 'Add validation to the signup form', 62.4);
    const waiting = task({ kind: 'awaiting_approval', from: 'reviewing_plan', waitingFor: 'plan' }, 'Refactor the logger');
    const paused = task({ kind: 'paused', from: 'verifying' }, 'Fix flaky test');
    const m = trayMenu({ tasks: [running, waiting, paused, task({ kind: 'queued' })], pressure: { level: 'serious', slots: 1, inUse: 1 }, loadedModels: ['qwen-7b'], engine: true });
    const all = labels(m.items);
    expect(all).toContain('Add validation to the signup form — executing 62%');
    expect(all).toContain('Fix flaky test — paused in verifying');
    expect(all).toContain('Approvals needed (1)');
    expect(all).toContain('1 queued');
    expect(all).toContain('Thermal: Serious — 1 of 1 slots in use');
    expect(all).toContain('Models loaded: qwen-7b');
    expect(find(m.items, /^Approve plan$/)).toMatchObject({ action: { kind: 'approve', taskId: waiting.id, gate: 'plan' }, enabled: true });
    expect(find(m.items, /^Deny plan$/)).toMatchObject({ action: { kind: 'deny', taskId: waiting.id, gate: 'plan' } });
    expect(find(m.items, /^Pause all/)).toMatchObject({ enabled: true, action: { kind: 'pause-all' } });
    expect(find(m.items, /^Resume all/)).toMatchObject({ enabled: true });
    expect(m.tooltip).toBe('Agent Agency — 1 running, 1 awaiting approval, 1 paused, thermal serious');
    expect(m.title).toBe('1!');
  });

  it('disables what needs the engine when none runs, and says so when idle', () => {
    const waiting = task({ kind: 'awaiting_approval', from: 'applying', waitingFor: 'apply' });
    const m = trayMenu({ tasks: [waiting], pressure: null, loadedModels: null, engine: false });
    expect(find(m.items, /^Approve apply$/)).toMatchObject({ enabled: false });
    expect(find(m.items, /^Pause all/)).toMatchObject({ enabled: false });
    expect(labels(m.items).some((l) => l.startsWith('Thermal'))).toBe(false);
    expect(labels(m.items).some((l) => l.startsWith('Models') || l.startsWith('No model'))).toBe(false);
    const idle = trayMenu({ tasks: [], pressure: { level: 'nominal', slots: 2, inUse: 0 }, loadedModels: [], engine: true });
    expect(labels(idle.items)).toEqual(expect.arrayContaining(['Nothing running', 'No approvals pending', 'No model loaded']));
    expect(find(idle.items, /^Resume all/)).toMatchObject({ enabled: false });
    expect(idle.title).toBe('');
  });

  it('keeps a long list short and labels one line each', () => {
    const many = Array.from({ length: 20 }, () => task({ kind: 'planning' }, 'x'.repeat(200)));
    const m = trayMenu({ tasks: many, pressure: null, loadedModels: null, engine: true });
    const runningLabels = labels(m.items).filter((l) => l.endsWith('planning 40%'));
    expect(runningLabels).toHaveLength(8);
    expect(runningLabels[0]!.length).toBeLessThan(80);
    expect(labels(m.items)).toContain('and 12 more…');
  });
});
