import type { ApprovalGate } from '../../shared/domain/task';

/** How long `--watch` follows a task that waits for a person. */
export type WaitForHuman = { kind: 'never' } | { kind: 'always' } | { kind: 'for'; ms: number };

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `never`, `always`, or a duration such as `90s`, `10m`, `2h`; a clear error naming the flag otherwise. */
export function parseWaitForHuman(text: string): { ok: true; value: WaitForHuman } | { ok: false; message: string } {
  const t = text.trim().toLowerCase();
  if (t === 'never') return { ok: true, value: { kind: 'never' } };
  if (t === 'always') return { ok: true, value: { kind: 'always' } };
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/.exec(t);
  if (!m) return { ok: false, message: `--wait-for-human: must be never, always or a duration such as 90s, 10m or 2h, not ${JSON.stringify(text)}` };
  const ms = Number(m[1]) * UNITS[m[2]!]!;
  if (ms < 1_000 || ms > 7 * 24 * 3_600_000) return { ok: false, message: '--wait-for-human: a duration from 1s to 7 days' };
  return { ok: true, value: { kind: 'for', ms } };
}

export type HumanCommand = { does: string; command: string };

/** The exact commands that answer what a task waits for. */
export function answeringCommands(taskId: string, gate: ApprovalGate, remoteFlag: string): HumanCommand[] {
  if (gate === 'escalation') {
    return [
      { does: 'go on despite the council', command: `agent-agency intervene ${taskId} override accept --reason "<why>"${remoteFlag}` },
      { does: 'stop the task', command: `agent-agency deny ${taskId} --gate escalation --reason "<why>"${remoteFlag}` },
      { does: 'see the verdict first', command: `agent-agency tasks show ${taskId}${remoteFlag}` },
    ];
  }
  return [
    { does: `approve the ${gate}`, command: `agent-agency approve ${taskId} --gate ${gate}${remoteFlag}` },
    { does: `deny it`, command: `agent-agency deny ${taskId} --gate ${gate} --reason "<why>"${remoteFlag}` },
    { does: 'see the details first', command: `agent-agency tasks show ${taskId}${remoteFlag}` },
  ];
}

const QUESTIONS: Record<string, string> = {
  plan: 'Approve the working spec (plan) so work can start?',
  changeset: 'Approve this changeset?',
  apply: 'Apply the change to the repository?',
  escalation: 'The council rejected the work. Override its decision, or stop the task?',
  tool: 'Allow the tool call the worker asked for?',
};

/** The question put to the person, in words. */
export function questionFor(gate: ApprovalGate): string {
  return QUESTIONS[gate] ?? `Approve the ${gate}?`;
}

/** How long, in words (for "waited 2m 30s"). */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}
