import type { Task, TaskState } from '../shared/domain/task';

/** A state as a person reads it: `paused (was executing)`, `awaiting approval of plan`. */
export function stateLabel(state: TaskState): string {
  switch (state.kind) {
    case 'paused':
      return `paused (was ${state.from.replace(/_/g, ' ')})`;
    case 'awaiting_approval':
      return `awaiting approval of ${state.waitingFor}`;
    case 'failed':
      return `failed: ${state.reason}`;
    case 'cancelled':
      return state.reason ? `cancelled: ${state.reason}` : 'cancelled';
    default:
      return state.kind.replace(/_/g, ' ');
  }
}

export function isTerminal(state: TaskState): boolean {
  return state.kind === 'completed' || state.kind === 'failed' || state.kind === 'cancelled';
}

/** `3m ago`, `2h ago`, `5d ago`. */
export function ago(ts: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ts) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

export function truncate(text: string, width: number): string {
  const one = text.replace(/[\r\n\t]+/g, ' ').trim();
  return one.length <= width ? one : `${one.slice(0, Math.max(0, width - 1))}…`;
}

/** `[########------------]  40%` */
export function progressBar(percent: number, width = 24): string {
  const p = Math.max(0, Math.min(100, percent));
  const filled = Math.round((p / 100) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(p)).padStart(3)}%`;
}

/**
 * Left-aligned columns that fit `width`: the last one is cut to what is left, and when even the others do
 * not fit, the widest of them is narrowed (its cells cut with …) until they do.
 */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], width = 100): string {
  const all = [headers, ...rows];
  const last = headers.length - 1;
  const widths = headers.map((_, i) => (i === last ? 0 : Math.max(...all.map((r) => (r[i] ?? '').length))));
  const minLast = Math.min(10, Math.max(4, width >> 3));
  const fixed = () => widths.slice(0, -1).reduce((a, b) => a + b + 2, 0);
  while (fixed() + minLast > width) {
    let widest = -1;
    for (let i = 0; i < last; i++) if (widths[i]! > 6 && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
    if (widest < 0) break;
    widths[widest]!--;
  }
  const lastWidth = Math.max(minLast, width - fixed());
  return all
    .map((r) => r.map((cell, i) => (i === last ? truncate(cell, lastWidth) : truncate(cell, widths[i]!).padEnd(widths[i]!))).join('  ').trimEnd())
    .join('\n');
}

export function taskSummary(task: Task): string {
  return [
    `Task      ${task.id}`,
    `State     ${stateLabel(task.state)}`,
    `Progress  ${progressBar(task.progress)}`,
    `Mode      ${task.mode}, risk tier ${task.riskTier}, priority ${task.priority}, at most ${task.maxIterations} iterations`,
    `Repo      ${task.repoPath}`,
    `Network   ${task.allowNetwork ? 'ALLOWED for the commands this task causes (granted on submit)' : 'none (sandboxed commands have no network)'}`,
    `Created   ${new Date(task.createdAt).toISOString()} (${ago(task.createdAt)})`,
    `Updated   ${new Date(task.updatedAt).toISOString()} (${ago(task.updatedAt)})`,
    `Goal      ${task.description}`,
  ].join('\n');
}
