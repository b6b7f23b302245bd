import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock, testCore } from '../../../test/helpers';
import { silentLogger } from '../core/observability/logger';
import { startAlertNotifications, type AlertNotice, type AlertNotifier, type AlertTrayLine } from './alert-notifier';
import { performShellAction } from './shell-actions';
import { trayMenu } from './tray-model';

/** Records what the desktop would show: the notifications and every menu-bar line drawn. */
class RecordingNotifier implements AlertNotifier {
  readonly notices: AlertNotice[] = [];
  readonly lines: AlertTrayLine[] = [];
  notify(notice: AlertNotice): void {
    this.notices.push(notice);
  }
  showTrayLine(line: AlertTrayLine): void {
    this.lines.push(line);
  }
  get line(): AlertTrayLine {
    return this.lines.at(-1) ?? null;
  }
}

/**
 * The alert seam of the desktop shell, driven by real alerts: a real core (SQLite journal, the
 * objectives' burn-rate rules) on a fake clock, tasks failing in the journal, and the recording
 * notifier in place of Electron's notifications and tray.
 */
describe('desktop alert notifications and menu-bar line', () => {
  let clock: FakeClock;
  let core: ReturnType<typeof testCore>;
  let notifier: RecordingNotifier;
  let stop: () => void;
  let n = 0;
  beforeEach(() => {
    clock = new FakeClock();
    core = testCore({ clock, slo: { evaluateEveryMs: 0 }, scheduler: { autoStart: false } });
    notifier = new RecordingNotifier();
    stop = startAlertNotifications(core.slo, notifier, clock);
  });
  afterEach(() => {
    stop();
    core.cleanup();
  });

  const fail = (count: number) => {
    for (let i = 0; i < count; i++) {
      const t = core.tasks.submit({ description: `task ${n}`, repoPath: core.repo, mode: 'dry-run', riskTier: 2, priority: 'normal', maxIterations: 3 });
      core.journal.append(t.id, { type: 'task.failed', payload: { reason: 'gates failed' } }, `fail-${n++}`);
    }
  };

  it('announces each firing once (a page urgently), keeps a menu-bar line while any fires, and announces the resolution once', () => {
    expect(notifier.lines).toEqual([null]); // drawn at start: nothing firing
    fail(4);
    core.slo.evaluate();
    expect(notifier.notices.map((x) => [x.kind, x.urgent, x.title])).toEqual([
      ['fired', true, 'Alert (page): task success'],
      ['fired', false, 'Alert (ticket): task success'],
    ]);
    expect(notifier.notices[0]!.body).toMatch(/^Task success rate: burning the error budget/);
    expect(notifier.line).toMatchObject({ firing: 2, unacknowledged: 2, label: expect.stringMatching(/^Alerts firing \(2\): Task success rate — (fast|slow)-burn$/) });

    // Evaluating again while still burning says nothing new.
    core.slo.evaluate();
    expect(notifier.notices).toHaveLength(2);

    // A person acknowledges one: no notification, but the line says so.
    const fast = core.slo.alerts('firing').alerts.find((a) => a.rule === 'fast-burn')!;
    core.slo.acknowledge(fast.id, 'ana');
    expect(notifier.notices).toHaveLength(2);
    expect(notifier.line).toMatchObject({ firing: 2, unacknowledged: 1, label: expect.stringContaining('(2, 1 acknowledged)') });

    // Out of the 5-minute short window: the fast rule stops burning and resolves, once.
    clock.advance(10 * 60_000);
    core.slo.evaluate();
    core.slo.evaluate();
    expect(notifier.notices.slice(2).map((x) => [x.kind, x.alertId, x.urgent])).toEqual([['resolved', fast.id, false]]);
    expect(notifier.line).toMatchObject({ firing: 1, label: expect.stringContaining('slow-burn') });

    // Silencing the last one takes the line away.
    const slow = core.slo.alerts('firing').alerts[0]!;
    core.slo.silence(slow.id, 'ana', clock.now() + 3600_000);
    expect(notifier.line).toBeNull();
    expect(notifier.notices).toHaveLength(3);
  });

  it('the line becomes a menu-bar item that opens the Alerts page', () => {
    fail(4);
    core.slo.evaluate();
    const menu = trayMenu({ tasks: [], pressure: null, loadedModels: null, engine: false, alerts: notifier.line });
    const item = menu.items.find((i) => i.type === 'item' && i.label.startsWith('Alerts firing'));
    expect(item).toMatchObject({ action: { kind: 'open-alerts' }, enabled: true });
    expect(menu.tooltip).toContain('2 alerts firing');
    const shown: (string | undefined)[] = [];
    const r = performShellAction({ tasks: core.tasks, engine: undefined, logger: silentLogger(), showWindow: (route) => shown.push(route), quit: () => undefined }, { kind: 'open-alerts' }, 'menu-bar');
    expect(r.done).toBe(1);
    expect(shown).toEqual(['alerts']);
    expect(trayMenu({ tasks: [], pressure: null, loadedModels: null, engine: false, alerts: null }).items.some((i) => i.type === 'item' && i.label.startsWith('Alerts'))).toBe(false);
  });

  it('an alert that fired while another notifier was listening is not announced again after a restart of the binding, but its line is drawn', () => {
    fail(4);
    core.slo.evaluate();
    stop();
    const second = new RecordingNotifier();
    stop = startAlertNotifications(core.slo, second, clock);
    expect(second.notices).toEqual([]);
    expect(second.line).toMatchObject({ firing: 2 });
  });
});
