import { describe, expect, it } from 'vitest';
import type { Actor } from '../../../shared/domain/events';
import type { TaskState } from '../../../shared/domain/task';
import { WORK_PHASES, type WorkPhase } from './phases';
import { transition, type EngineEvent, type StepResult, type TransitionContext } from './transitions';

const alice: Actor = { who: 'alice', via: 'window' };

const STATES: Record<string, TaskState> = {
  queued: { kind: 'queued' },
  planning: { kind: 'planning' },
  reviewing_plan: { kind: 'reviewing_plan' },
  executing: { kind: 'executing' },
  verifying: { kind: 'verifying' },
  reviewing_change: { kind: 'reviewing_change' },
  applying: { kind: 'applying' },
  'paused@queued': { kind: 'paused', from: 'queued' },
  ...Object.fromEntries(WORK_PHASES.map((p) => [`paused@${p}`, { kind: 'paused', from: p }])),
  'awaiting:plan': { kind: 'awaiting_approval', from: 'reviewing_plan', waitingFor: 'plan' },
  'awaiting:changeset': { kind: 'awaiting_approval', from: 'verifying', waitingFor: 'changeset' },
  'awaiting:apply': { kind: 'awaiting_approval', from: 'reviewing_change', waitingFor: 'apply' },
  'awaiting:escalation@plan': { kind: 'awaiting_approval', from: 'reviewing_plan', waitingFor: 'escalation' },
  'awaiting:escalation@change': { kind: 'awaiting_approval', from: 'reviewing_change', waitingFor: 'escalation' },
  ...Object.fromEntries(WORK_PHASES.map((p) => [`awaiting:tool@${p}`, { kind: 'awaiting_approval', from: p, waitingFor: 'tool' }])),
  completed: { kind: 'completed' },
  failed: { kind: 'failed', reason: 'earlier failure' },
  cancelled: { kind: 'cancelled' },
};

const RIGHT_RESULT: Record<WorkPhase, StepResult> = {
  planning: { kind: 'planned', spec: 'id: FEAT-1' },
  reviewing_plan: { kind: 'reviewed', decision: 'accept', summary: 'fine' },
  executing: { kind: 'done' },
  verifying: { kind: 'verified', passed: true, summary: 'all gates pass' },
  reviewing_change: { kind: 'reviewed', decision: 'accept', summary: 'fine' },
  applying: { kind: 'done' },
};

const succeeded = (phase: WorkPhase, result: StepResult): EngineEvent => ({ type: 'step.succeeded', phase, result, durationMs: 12 });

const EVENTS: Record<string, EngineEvent> = {
  admit: { type: 'admit' },
  ...Object.fromEntries(WORK_PHASES.map((p) => [`ok:${p}`, succeeded(p, RIGHT_RESULT[p])])),
  'ok:reviewing_plan:modify': succeeded('reviewing_plan', { kind: 'reviewed', decision: 'modify', summary: 'narrow the scope' }),
  'ok:reviewing_plan:reject': succeeded('reviewing_plan', { kind: 'reviewed', decision: 'reject', summary: 'out of policy' }),
  'ok:verifying:fail': succeeded('verifying', { kind: 'verified', passed: false, summary: 'tests fail' }),
  'ok:reviewing_change:modify': succeeded('reviewing_change', { kind: 'reviewed', decision: 'modify', summary: 'add a test' }),
  'ok:reviewing_change:reject': succeeded('reviewing_change', { kind: 'reviewed', decision: 'reject', summary: 'breaks the API' }),
  ...Object.fromEntries(WORK_PHASES.map((p) => [`ask:${p}`, succeeded(p, { kind: 'needs_approval', gate: 'tool', summary: 'run npm install' })])),
  'bad:planning': succeeded('planning', { kind: 'done' }),
  'bad:verifying': succeeded('verifying', { kind: 'reviewed', decision: 'accept', summary: 'x' }),
  ...Object.fromEntries(WORK_PHASES.map((p) => [`err:${p}`, { type: 'step.failed', phase: p, reason: 'model crashed' }])),
  pause: { type: 'pause', actor: alice },
  resume: { type: 'resume', actor: alice },
  cancel: { type: 'cancel', actor: alice },
  'cancel:why': { type: 'cancel', actor: alice, reason: 'wrong repository' },
  approve: { type: 'approve', actor: alice },
  'approve:plan': { type: 'approve', actor: alice, gate: 'plan' },
  'approve:changeset': { type: 'approve', actor: alice, gate: 'changeset' },
  'approve:apply': { type: 'approve', actor: alice, gate: 'apply' },
  'approve:tool': { type: 'approve', actor: alice, gate: 'tool' },
  'approve:escalation': { type: 'approve', actor: alice, gate: 'escalation' },
  deny: { type: 'deny', actor: alice, reason: 'not now' },
  'deny:plan': { type: 'deny', actor: alice, gate: 'plan', reason: 'not now' },
  'override:accept': { type: 'override', actor: alice, decision: 'accept', reason: 'the judge misread the scope' },
  'override:reject': { type: 'override', actor: alice, decision: 'reject', reason: 'too risky' },
  guide: { type: 'guide', actor: alice, text: 'use the existing validator' },
  'guide:blank': { type: 'guide', actor: alice, text: '   ' },
  modify: { type: 'modify', actor: alice, maxIterations: 8 },
  'modify:budget': { type: 'modify', actor: alice, timeBudgetMs: 3_600_000 },
  'modify:nothing': { type: 'modify', actor: alice },
  'modify:too-low': { type: 'modify', actor: alice, maxIterations: 1 },
  fail: { type: 'fail', reason: 'time budget used up' },
};

const AUTO: TransitionContext = { mode: 'auto', maxIterations: 5, planRounds: 2, execRounds: 2 };

/** Where every legal (state, event) pair leads in auto mode; every pair not listed must be refused. */
const LEGAL: Record<string, Record<string, string>> = {};
const legal = (state: string, to: Record<string, string>) => (LEGAL[state] = { ...LEGAL[state], ...to });

const ALWAYS = { guide: 'same', modify: 'same', 'modify:budget': 'same', fail: 'failed', cancel: 'cancelled', 'cancel:why': 'cancelled' };

legal('queued', { ...ALWAYS, admit: 'planning', pause: 'paused@queued' });
for (const p of WORK_PHASES) legal(p, { ...ALWAYS, pause: `paused@${p}`, [`err:${p}`]: 'failed', [`ask:${p}`]: `awaiting:tool@${p}` });
legal('planning', { 'ok:planning': 'reviewing_plan' });
legal('reviewing_plan', {
  'ok:reviewing_plan': 'executing',
  'ok:reviewing_plan:modify': 'planning',
  'ok:reviewing_plan:reject': 'awaiting:escalation@plan',
});
legal('executing', { 'ok:executing': 'verifying' });
legal('verifying', { 'ok:verifying': 'reviewing_change', 'ok:verifying:fail': 'executing' });
legal('reviewing_change', {
  'ok:reviewing_change': 'applying',
  'ok:reviewing_change:modify': 'executing',
  'ok:reviewing_change:reject': 'awaiting:escalation@change',
});
legal('applying', { 'ok:applying': 'completed' });
legal('paused@queued', { ...ALWAYS, resume: 'queued' });
for (const p of WORK_PHASES) legal(`paused@${p}`, { ...ALWAYS, resume: p });
const AWAITING = { ...ALWAYS, deny: 'failed' };
legal('awaiting:plan', { ...AWAITING, approve: 'executing', 'approve:plan': 'executing', 'deny:plan': 'failed', 'override:accept': 'executing', 'override:reject': 'failed' });
legal('awaiting:changeset', { ...AWAITING, approve: 'reviewing_change', 'approve:changeset': 'reviewing_change' });
legal('awaiting:apply', { ...AWAITING, approve: 'applying', 'approve:apply': 'applying', 'override:accept': 'applying', 'override:reject': 'failed' });
legal('awaiting:escalation@plan', { ...AWAITING, 'override:accept': 'executing', 'override:reject': 'failed' });
legal('awaiting:escalation@change', { ...AWAITING, 'override:accept': 'applying', 'override:reject': 'failed' });
for (const p of WORK_PHASES) legal(`awaiting:tool@${p}`, { ...AWAITING, approve: p, 'approve:tool': p });
legal('completed', {});
legal('failed', {});
legal('cancelled', {});

function matches(actual: TaskState, expected: string, from: TaskState): boolean {
  if (expected === 'same') return actual === from;
  if (expected === 'failed' || expected === 'cancelled') return actual.kind === expected;
  return JSON.stringify(actual) === JSON.stringify(STATES[expected]);
}

describe('transition table (auto mode)', () => {
  const rows: [string, string, string | undefined][] = [];
  for (const state of Object.keys(STATES)) for (const event of Object.keys(EVENTS)) rows.push([state, event, LEGAL[state]?.[event]]);

  it('covers every state kind and every event type', () => {
    const kinds = new Set(Object.values(STATES).map((s) => s.kind));
    expect(kinds.size).toBe(12);
    const types = new Set(Object.values(EVENTS).map((e) => e.type));
    expect([...types].sort()).toEqual(
      ['admit', 'approve', 'cancel', 'deny', 'fail', 'guide', 'modify', 'override', 'pause', 'resume', 'step.failed', 'step.succeeded'].sort(),
    );
    expect(Object.keys(LEGAL).sort()).toEqual(Object.keys(STATES).sort());
  });

  it.each(rows.filter((r) => r[2] !== undefined))('%s + %s → %s', (stateName, eventName, expected) => {
    const from = STATES[stateName]!;
    const out = transition(from, EVENTS[eventName]!, AUTO);
    if (!out.ok) throw new Error(`refused: ${out.error.message}`);
    expect(matches(out.state, expected!, from)).toBe(true);
    if (expected === 'same') {
      expect(out.changed).toBe(false);
      expect(out.events.some((e) => e.type === 'task.state')).toBe(false);
    } else {
      // A state change is journaled as exactly one task.state record naming both ends.
      const moves = out.events.filter((e) => e.type === 'task.state');
      expect(moves).toHaveLength(1);
      expect(moves[0]!.payload).toMatchObject({ from, to: out.state });
    }
  });

  it.each(rows.filter((r) => r[2] === undefined))('%s + %s is refused', (stateName, eventName) => {
    const out = transition(STATES[stateName]!, EVENTS[eventName]!, AUTO);
    expect(out.ok).toBe(false);
    if (!out.ok) {
      expect(out.error.from).toBe(STATES[stateName]!.kind);
      expect(out.error.event).toBe(EVENTS[eventName]!.type);
      expect(out.error.message.length).toBeGreaterThan(5);
    }
  });
});

describe('lifecycle details', () => {
  it('strict mode stops for a human at the plan, changeset and apply boundaries', () => {
    const strict: TransitionContext = { ...AUTO, mode: 'strict' };
    const cases: [WorkPhase, StepResult, TaskState][] = [
      ['reviewing_plan', RIGHT_RESULT.reviewing_plan, STATES['awaiting:plan']!],
      ['verifying', RIGHT_RESULT.verifying, STATES['awaiting:changeset']!],
      ['reviewing_change', RIGHT_RESULT.reviewing_change, STATES['awaiting:apply']!],
    ];
    for (const [phase, result, expected] of cases) {
      const out = transition({ kind: phase } as TaskState, succeeded(phase, result), strict);
      if (!out.ok) throw new Error(out.error.message);
      expect(out.state).toEqual(expected);
      expect(out.events.map((e) => e.type)).toEqual(['phase.completed', 'task.state', 'approval.requested', 'progress']);
      expect(out.effects).toContainEqual(expect.objectContaining({ kind: 'request_approval', gate: expected.kind === 'awaiting_approval' && expected.waitingFor }));
    }
    // Elsewhere strict runs straight on, like auto.
    const plan = transition({ kind: 'planning' }, succeeded('planning', RIGHT_RESULT.planning), strict);
    expect(plan.ok && plan.state).toEqual({ kind: 'reviewing_plan' });
  });

  it('dry-run runs through like auto (the engine, not the lifecycle, keeps the target read-only)', () => {
    for (const phase of WORK_PHASES) {
      const auto = transition({ kind: phase } as TaskState, succeeded(phase, RIGHT_RESULT[phase]), AUTO);
      const dry = transition({ kind: phase } as TaskState, succeeded(phase, RIGHT_RESULT[phase]), { ...AUTO, mode: 'dry-run' });
      expect(dry.ok && dry.state).toEqual(auto.ok && auto.state);
    }
  });

  it('counts a round when planning or executing is entered anew, never on resume or tool approval', () => {
    const rounds = (state: TaskState, event: EngineEvent) => {
      const out = transition(state, event, AUTO);
      if (!out.ok) throw new Error(out.error.message);
      return out.effects.filter((e) => e.kind === 'count_round');
    };
    expect(rounds({ kind: 'queued' }, EVENTS['admit']!)).toEqual([{ kind: 'count_round', counter: 'plan' }]);
    expect(rounds({ kind: 'reviewing_plan' }, EVENTS['ok:reviewing_plan']!)).toEqual([{ kind: 'count_round', counter: 'exec' }]);
    expect(rounds({ kind: 'verifying' }, EVENTS['ok:verifying:fail']!)).toEqual([{ kind: 'count_round', counter: 'exec' }]);
    expect(rounds({ kind: 'reviewing_plan' }, EVENTS['ok:reviewing_plan:modify']!)).toEqual([{ kind: 'count_round', counter: 'plan' }]);
    expect(rounds(STATES['paused@executing']!, EVENTS['resume']!)).toEqual([]);
    expect(rounds(STATES['awaiting:tool@executing']!, EVENTS['approve']!)).toEqual([]);
  });

  it('fails instead of starting a round past max iterations, and says why', () => {
    const spent: TransitionContext = { ...AUTO, maxIterations: 2, planRounds: 2, execRounds: 2 };
    for (const [state, event] of [
      ['verifying', 'ok:verifying:fail'],
      ['reviewing_change', 'ok:reviewing_change:modify'],
      ['reviewing_plan', 'ok:reviewing_plan:modify'],
    ] as const) {
      const out = transition(STATES[state]!, EVENTS[event]!, spent);
      if (!out.ok) throw new Error(out.error.message);
      expect(out.state.kind).toBe('failed');
      expect(out.state.kind === 'failed' && out.state.reason).toMatch(/max iterations \(2\)/);
      expect(out.effects.some((e) => e.kind === 'schedule' || e.kind === 'count_round' || e.kind === 'record_guidance')).toBe(false);
    }
  });

  it('hands council remediation and gate failures to the next round as guidance', () => {
    const out = transition({ kind: 'reviewing_change' }, EVENTS['ok:reviewing_change:modify']!, AUTO);
    if (!out.ok) throw new Error(out.error.message);
    expect(out.effects).toContainEqual({ kind: 'record_guidance', actor: { who: 'council', via: 'system' }, text: 'add a test' });
    expect(out.events.filter((e) => e.type === 'task.guidance')).toHaveLength(1);
  });

  it('aborts the running step on pause, cancel and fail, and cleans up only after a cancel', () => {
    for (const p of WORK_PHASES) {
      const kinds = (event: string) => {
        const out = transition({ kind: p } as TaskState, EVENTS[event]!, AUTO);
        if (!out.ok) throw new Error(out.error.message);
        return out.effects.map((e) => e.kind);
      };
      expect(kinds('pause')).toEqual(['abort_step']);
      expect(kinds('cancel')).toEqual(['abort_step', 'cleanup']);
      expect(kinds('fail')).toEqual(['abort_step']);
    }
    const queuedCancel = transition({ kind: 'queued' }, EVENTS['cancel']!, AUTO);
    expect(queuedCancel.ok && queuedCancel.effects.map((e) => e.kind)).toEqual(['cleanup']);
    const approvalCancel = transition(STATES['awaiting:plan']!, EVENTS['cancel']!, AUTO);
    expect(approvalCancel.ok && approvalCancel.effects).toContainEqual({ kind: 'resolve_approval', status: 'withdrawn' });
  });

  it('records who approved, denied, overrode or paused, and from where', () => {
    const approved = transition(STATES['awaiting:plan']!, EVENTS['approve']!, AUTO);
    expect(approved.ok && approved.events[0]).toEqual({ type: 'approval.granted', payload: { gate: 'plan', actor: alice } });
    const denied = transition(STATES['awaiting:apply']!, EVENTS['deny']!, AUTO);
    expect(denied.ok && denied.events[0]).toEqual({ type: 'approval.denied', payload: { gate: 'apply', actor: alice, reason: 'not now' } });
    expect(denied.ok && denied.state).toEqual({ kind: 'failed', reason: 'apply approval denied by alice (window): not now' });
    const overridden = transition(STATES['awaiting:escalation@plan']!, EVENTS['override:accept']!, AUTO);
    expect(overridden.ok && overridden.events[0]).toEqual({
      type: 'council.overridden',
      payload: { actor: alice, gate: 'escalation', decision: 'accept', reason: 'the judge misread the scope' },
    });
    const paused = transition({ kind: 'executing' }, EVENTS['pause']!, AUTO);
    expect(paused.ok && paused.events).toContainEqual({ type: 'task.paused', payload: { actor: alice } });
  });

  it('names the reason a move is refused, and tells bad values from impossible moves', () => {
    const escalation = transition(STATES['awaiting:escalation@change']!, EVENTS['approve']!, AUTO);
    expect(!escalation.ok && escalation.error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/override/) });
    const wrongGate = transition(STATES['awaiting:plan']!, EVENTS['approve:apply']!, AUTO);
    expect(!wrongGate.ok && wrongGate.error.message).toBe('the task waits for plan approval, not apply');
    const tooLow = transition({ kind: 'executing' }, EVENTS['modify:too-low']!, AUTO);
    expect(!tooLow.ok && tooLow.error.code).toBe('invalid_input');
    const stale = transition({ kind: 'executing' }, EVENTS['ok:planning']!, AUTO);
    expect(!stale.ok && stale.error.code).toBe('conflict');
    const finished = transition({ kind: 'completed' }, EVENTS['cancel']!, AUTO);
    expect(!finished.ok && finished.error.message).toMatch(/completed/);
  });

  it('derives progress from the phases: start of a phase on entry, end of it while waiting, 100 when done', () => {
    const enter = transition({ kind: 'executing' }, EVENTS['ok:executing']!, AUTO);
    expect(enter.ok && enter.progress).toBe(65);
    expect(enter.ok && enter.events).toContainEqual({ type: 'progress', payload: { percent: 65, message: 'verifying' } });
    const waiting = transition({ kind: 'reviewing_plan' }, EVENTS['ok:reviewing_plan:reject']!, AUTO);
    expect(waiting.ok && waiting.progress).toBe(25);
    const doneOut = transition({ kind: 'applying' }, EVENTS['ok:applying']!, AUTO);
    expect(doneOut.ok && doneOut.progress).toBe(100);
    expect(doneOut.ok && doneOut.events.map((e) => e.type)).toEqual(['phase.completed', 'task.state', 'task.completed', 'progress']);
    const paused = transition({ kind: 'executing' }, EVENTS['pause']!, AUTO);
    expect(paused.ok && paused.progress).toBeUndefined();
  });
});
