import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { StoredVerdictView } from '../../../../shared/channels/governance';
import type { AgentEvent } from '../../../../shared/domain/events';
import type { TaskState } from '../../../../shared/domain/task';
import { decisionsFromEvents } from './decisions';
import { MAX_STREAM_CHARS, outputStreams } from './model-output';
import { ModelOutput } from './ModelOutput';
import { phaseTimeline } from './phase-timeline';
import { PhaseTimeline } from './PhaseTimeline';
import { councilFor, currentGates, recordsRevision } from './task-review';

let seq = 0;
const ev = (type: AgentEvent['type'], payload: unknown, ts = ++seq * 1000): AgentEvent => ({ seq: ++seq, taskId: 'tsk_0000000000', taskSeq: seq, ts, type, payload }) as AgentEvent;
const started = (phase: string) => ev('phase.started', { phase });
const completed = (phase: string, durationMs: number) => ev('phase.completed', { phase, durationMs });
const statusOf = (events: AgentEvent[], state: TaskState) => Object.fromEntries(phaseTimeline(events, state).map((p) => [p.phase, p.status]));

describe('phase timeline', () => {
  const planned = () => [started('planning'), completed('planning', 1200), started('reviewing_plan'), completed('reviewing_plan', 300)];

  it('marks done, running and pending phases with time spent', () => {
    const events = [...planned(), started('executing')];
    const rows = phaseTimeline(events, { kind: 'executing' });
    expect(rows.map((r) => [r.phase, r.status])).toEqual([
      ['planning', 'done'],
      ['reviewing_plan', 'done'],
      ['executing', 'running'],
      ['verifying', 'pending'],
      ['reviewing_change', 'pending'],
      ['applying', 'pending'],
    ]);
    expect(rows[0]).toMatchObject({ durationMs: 1200, runs: 1, startedAt: null });
    expect(rows[2]!.startedAt).toBe(events.at(-1)!.ts);
  });

  it('names the approval a strict task waits for after a phase', () => {
    const rows = phaseTimeline(planned(), { kind: 'awaiting_approval', from: 'reviewing_plan', waitingFor: 'plan' });
    expect(rows.find((r) => r.phase === 'reviewing_plan')).toMatchObject({ status: 'done', awaiting: 'plan' });
    expect(rows.filter((r) => r.awaiting !== null)).toHaveLength(1);
  });

  it('shows a paused phase, a failed phase and the phases a finished task skipped', () => {
    const events = [...planned(), started('executing')];
    expect(statusOf(events, { kind: 'paused', from: 'executing' }).executing).toBe('paused');
    const failed = statusOf(events, { kind: 'failed', reason: 'boom' });
    expect(failed).toMatchObject({ planning: 'done', executing: 'failed', verifying: 'skipped', applying: 'skipped' });
    // Denied at the apply approval: nothing was running, so nothing failed; the rest was skipped.
    const denied = [...events, completed('executing', 10), started('verifying'), completed('verifying', 10), started('reviewing_change'), completed('reviewing_change', 10)];
    expect(statusOf(denied, { kind: 'failed', reason: 'apply approval denied' })).toMatchObject({ reviewing_change: 'done', applying: 'skipped' });
  });

  it('counts rounds when the council sends the task back', () => {
    const events = [...planned(), started('executing'), completed('executing', 100), started('verifying'), completed('verifying', 5), started('executing'), completed('executing', 50)];
    const exec = phaseTimeline(events, { kind: 'verifying' }).find((r) => r.phase === 'executing')!;
    expect(exec).toMatchObject({ runs: 2, durationMs: 150, status: 'done' });
    const html = renderToStaticMarkup(createElement(PhaseTimeline, { phases: phaseTimeline(events, { kind: 'verifying' }) }));
    expect(html).toContain('2 rounds');
    expect(html).toContain('aria-current="step"');
    expect(html).toContain('data-phase="verifying" data-status="running"');
  });
});

describe('model output', () => {
  const tokens = (role: string, text: string, count = 1) => ev('model.tokens', { model: 'm', role, text, count });

  it('groups streamed batches by phase and role, newest first', () => {
    const events = [started('planning'), tokens('planner', '{"id":'), tokens('planner', '"FIX-1"}', 2), started('reviewing_plan'), tokens('judge.quality', '{"verdict":"pass"}')];
    const streams = outputStreams(events);
    expect(streams.map((s) => [s.phase, s.role, s.text, s.tokens])).toEqual([
      ['reviewing_plan', 'judge.quality', '{"verdict":"pass"}', 1],
      ['planning', 'planner', '{"id":"FIX-1"}', 3],
    ]);
    const html = renderToStaticMarkup(createElement(ModelOutput, { streams }));
    expect(html).toContain('judge.quality');
    expect(html).toContain('{&quot;id&quot;:&quot;FIX-1&quot;}');
  });

  it('stays bounded under a flood: newest text kept, older dropped and marked', () => {
    const events = [started('executing'), ...Array.from({ length: 3000 }, (_, i) => tokens('worker', `piece ${i}; `))];
    const [worker] = outputStreams(events);
    expect(worker!.text.length).toBeLessThanOrEqual(MAX_STREAM_CHARS);
    expect(worker!.text.endsWith('piece 2999; ')).toBe(true);
    expect(worker!.clipped).toBe(true);
    expect(worker!.tokens).toBe(3000);
    const many = Array.from({ length: 20 }, (_, i) => [started('executing'), tokens(`judge.${i}`, 'x')]).flat();
    expect(outputStreams(many, 6)).toHaveLength(6);
  });
});

describe('gates and votes on the task page', () => {
  const gate = (name: string, status: string) => ev('gate.result', { gate: name, status, details: `${name} ${status}`, mode: 'block', score: status === 'pass' ? 1 : 0, durationMs: 5 });

  it('shows this run live with the rest pending while verifying, the stored run otherwise', () => {
    const events = [started('verifying'), gate('tests', 'fail'), completed('verifying', 9), started('verifying'), gate('spec_completeness', 'pass'), gate('scope', 'pass')];
    const live = currentGates(events, null, true);
    expect(live.results.map((r) => r.gate)).toEqual(['spec_completeness', 'scope']);
    expect(live.pending).toEqual(['budget', 'tests', 'coverage', 'typecheck', 'lint']);
    const stored = [{ gate: 'tests', status: 'pass' as const, mode: 'block' as const, score: 1, details: 'all 12 passed', durationMs: 800 }];
    expect(currentGates(events, stored, false)).toEqual({ results: stored, pending: [] });
    expect(currentGates(events, [], false).results.map((r) => r.gate)).toEqual(['tests', 'spec_completeness', 'scope']);
  });

  const vote = (judgeId: string, verdict: string, subject = 'change') => ev('council.vote', { judgeId, verdict, confidence: 0.7, reasons: [`${judgeId} says ${verdict}`], round: 1, subject });
  const stored: StoredVerdictView = {
    id: 'vrd_1',
    subject: 'change',
    createdAt: 1,
    verdict: {
      decision: 'accept',
      votes: [{ judge_id: 'integration', weight: 0.2, verdict: 'uncertain' }],
      dissent: [{ judge_id: 'integration', verdict: 'uncertain', reasons: ['API impact unclear'] }],
      remediation: [],
      constitutional_refs: [],
      score: 0.9,
      threshold: 0.6,
      vetoed: false,
      escalated: false,
      debateRounds: 0,
      riskTier: 2,
      judges: [],
    },
    rounds: [{ judge_id: 'integration', version: 'integration/1', verdict: 'uncertain', confidence: 0.5, reasons: ['API impact unclear'], evidence: [], round: 1 }],
  };

  it('prefers live votes while the council votes, then the stored verdict with its dissent', () => {
    const voting = [vote('technical', 'pass'), vote('quality', 'pass')];
    expect(councilFor('change', voting, [stored])).toMatchObject({ votes: [{ judgeId: 'technical' }, { judgeId: 'quality' }] });
    expect(councilFor('change', voting, [stored]).outcome).toBeUndefined();
    const done = [...voting, ev('council.verdict', { decision: 'accept', score: 0.9, subject: 'change' })];
    const shown = councilFor('change', done, [stored]);
    expect(shown.outcome).toMatchObject({ decision: 'accept', dissent: [{ judgeId: 'integration', verdict: 'uncertain' }] });
    expect(shown.votes[0]).toMatchObject({ judgeId: 'integration', weight: 0.2 });
    expect(councilFor('plan', done, [stored]).votes).toEqual([]);
  });

  it('rereads the records only after events that change them', () => {
    const events = [started('planning'), ev('progress', { percent: 5, message: 'x' })];
    const before = recordsRevision(events);
    expect(recordsRevision([...events, ev('model.tokens', { model: 'm', role: 'r', text: 't', count: 1 })])).toBe(before);
    const verdict = ev('council.verdict', { decision: 'accept', score: 1 });
    expect(recordsRevision([...events, verdict])).toBe(verdict.seq);
  });

  it('lists human decisions with who decided and why', () => {
    const actor = { who: 'Ada', via: 'window' };
    const decisions = decisionsFromEvents([
      ev('approval.granted', { gate: 'plan', actor }),
      ev('council.overridden', { gate: 'apply', actor, decision: 'reject', reason: 'not on a Friday' }),
      ev('approval.denied', { gate: 'changeset', actor: { who: 'Bob', via: 'cli' }, reason: 'too broad' }),
    ]);
    expect(decisions.map((d) => [d.kind, d.gate, d.who, d.text])).toEqual([
      ['granted', 'plan', 'Ada', ''],
      ['overridden', 'apply', 'Ada', 'reject: not on a Friday'],
      ['denied', 'changeset', 'Bob', 'too broad'],
    ]);
  });
});
