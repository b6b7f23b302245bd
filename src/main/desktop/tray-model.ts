import type { PressureLevel } from '../../shared/domain/scheduler';
import type { ApprovalGate, Task } from '../../shared/domain/task';
import { approvalVerbs } from './approval-verbs';

/** What a menu-bar or notification click asks the shell to do. */
export type ShellAction =
  | { kind: 'open-window' }
  | { kind: 'open-task'; taskId: string; focus?: 'override' }
  | { kind: 'open-alerts' }
  | { kind: 'approve'; taskId: string; gate: ApprovalGate }
  | { kind: 'deny'; taskId: string; gate: ApprovalGate }
  | { kind: 'pause-all' }
  | { kind: 'resume-all' }
  | { kind: 'quit' };

export type TrayItem =
  | { type: 'separator' }
  | { type: 'item'; label: string; action?: ShellAction; enabled: boolean }
  | { type: 'submenu'; label: string; items: TrayItem[] };

export type TrayInput = {
  /** Tasks that are not finished (any active state, paused, or awaiting approval). */
  tasks: readonly Task[];
  /** The scheduler's current level; null when no scheduler runs. */
  pressure: { level: PressureLevel; slots: number; inUse: number } | null;
  /** Names of the models loaded now; null when no model service runs. */
  loadedModels: readonly string[] | null;
  /** Pause, resume, approve and deny need the task engine. */
  engine: boolean;
  /** The firing alerts' line (alert-notifier.ts); absent or null when none fires. */
  alerts?: { label: string; firing: number } | null;
};

const MAX_LISTED = 8;
const LEVEL_LABEL: Record<PressureLevel, string> = { nominal: 'Nominal', fair: 'Fair', serious: 'Serious', critical: 'Critical' };

const human = (s: string) => s.replace(/_/g, ' ');
/** Menu labels are one line; long task descriptions are cut. */
export const shorten = (s: string, max = 48) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/** The menu-bar menu, as data: the shell turns it into a native menu. Pure, so it is tested directly. */
export function trayMenu(input: TrayInput): { tooltip: string; title: string; items: TrayItem[] } {
  const approvals = input.tasks.filter((t) => t.state.kind === 'awaiting_approval');
  const paused = input.tasks.filter((t) => t.state.kind === 'paused');
  const running = input.tasks.filter((t) => t.state.kind !== 'paused' && t.state.kind !== 'awaiting_approval' && t.state.kind !== 'queued');
  const queued = input.tasks.filter((t) => t.state.kind === 'queued');
  const items: TrayItem[] = [{ type: 'item', label: 'Open Agent Agency', action: { kind: 'open-window' }, enabled: true }, { type: 'separator' }];
  // Objectives not met come first: the one line that says something is wrong with the app itself.
  if (input.alerts) items.push({ type: 'item', label: input.alerts.label, action: { kind: 'open-alerts' }, enabled: true }, { type: 'separator' });

  items.push({ type: 'item', label: approvals.length ? `Approvals needed (${approvals.length})` : 'No approvals pending', enabled: false });
  for (const t of approvals.slice(0, MAX_LISTED)) {
    if (t.state.kind !== 'awaiting_approval') continue;
    const gate = t.state.waitingFor;
    items.push({
      type: 'submenu',
      label: `${shorten(t.description)} — ${gate}`,
      items: [
        ...approvalVerbs(t.id, gate).map((v): TrayItem => ({ type: 'item', label: v.label, action: v.action, enabled: input.engine || v.action.kind === 'open-task' })),
        { type: 'separator' },
        { type: 'item', label: 'Show task', action: { kind: 'open-task', taskId: t.id }, enabled: true },
      ],
    });
  }
  items.push({ type: 'separator' });

  items.push({ type: 'item', label: running.length ? `Running (${running.length})` : 'Nothing running', enabled: false });
  for (const t of running.slice(0, MAX_LISTED)) {
    items.push({ type: 'item', label: `${shorten(t.description)} — ${human(t.state.kind)} ${Math.round(t.progress)}%`, action: { kind: 'open-task', taskId: t.id }, enabled: true });
  }
  for (const t of paused.slice(0, MAX_LISTED)) {
    const from = t.state.kind === 'paused' ? ` in ${human(t.state.from)}` : '';
    items.push({ type: 'item', label: `${shorten(t.description)} — paused${from}`, action: { kind: 'open-task', taskId: t.id }, enabled: true });
  }
  if (queued.length) items.push({ type: 'item', label: `${queued.length} queued`, enabled: false });
  const more = running.length + paused.length - Math.min(running.length, MAX_LISTED) - Math.min(paused.length, MAX_LISTED);
  if (more > 0) items.push({ type: 'item', label: `and ${more} more…`, action: { kind: 'open-window' }, enabled: true });
  items.push({ type: 'separator' });

  const pausable = running.length + queued.length;
  items.push({ type: 'item', label: 'Pause all at the next safe point', action: { kind: 'pause-all' }, enabled: input.engine && pausable > 0 });
  items.push({ type: 'item', label: 'Resume all', action: { kind: 'resume-all' }, enabled: input.engine && paused.length > 0 });
  items.push({ type: 'separator' });

  if (input.pressure) {
    const p = input.pressure;
    items.push({ type: 'item', label: `Thermal: ${LEVEL_LABEL[p.level]} — ${p.inUse} of ${p.slots} slots in use`, enabled: false });
  }
  if (input.loadedModels) {
    items.push({
      type: 'item',
      label: input.loadedModels.length ? `Models loaded: ${shorten(input.loadedModels.join(', '), 60)}` : 'No model loaded',
      enabled: false,
    });
  }
  items.push({ type: 'separator' }, { type: 'item', label: 'Quit Agent Agency', action: { kind: 'quit' }, enabled: true });

  const parts = [`${running.length} running`];
  if (approvals.length) parts.push(`${approvals.length} awaiting approval`);
  if (paused.length) parts.push(`${paused.length} paused`);
  if (input.alerts) parts.push(`${input.alerts.firing} alert${input.alerts.firing === 1 ? '' : 's'} firing`);
  if (input.pressure && input.pressure.level !== 'nominal') parts.push(`thermal ${LEVEL_LABEL[input.pressure.level].toLowerCase()}`);
  return {
    tooltip: `Agent Agency — ${parts.join(', ')}`,
    // Beside the icon on macOS: empty when idle, so a quiet app looks quiet.
    title: approvals.length ? `${approvals.length}!` : running.length ? String(running.length) : '',
    items,
  };
}
