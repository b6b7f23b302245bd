import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../../shared/domain/events';
import type { WorkingSpec } from '../../../../shared/domain/working-spec';
import { councilFromEvents, gatesFromEvents } from './adapters';
import { CouncilVotes } from './CouncilVotes';
import { GateResults } from './GateResults';
import { PolicyEditor } from './PolicyEditor';
import { WaiversPanel } from './WaiversPanel';
import { DEFAULT_POLICY, type Waiver } from '../../../../shared/domain/governance';
import { SpecView } from './SpecView';

const spec: WorkingSpec = {
  id: 'FEAT-0042',
  title: 'Add input validation to the signup form',
  risk_tier: 2,
  mode: 'feature',
  lifecycle_state: 'draft',
  blast_radius: { modules: ['signup'], data_migration: false },
  scope: { in: ['src/signup/'], out: ['src/billing'] },
  invariants: ['Existing accounts can still sign in'],
  acceptance: [{ id: 'A1', given: 'an empty email', when: 'the form is submitted', then: 'an error is shown', test_command: 'npm test' }],
  non_functional: {},
  contracts: [{ name: 'users-api', type: 'api', path: 'docs/users.yaml' }],
};

const ev = (seq: number, type: AgentEvent['type'], payload: unknown): AgentEvent => ({ seq, taskId: 'tsk_0000000000', taskSeq: seq, ts: seq, type, payload }) as AgentEvent;

describe('governance views', () => {
  it('shows the spec: scope, criteria and contracts', () => {
    const html = renderToStaticMarkup(createElement(SpecView, { spec, yaml: 'id: FEAT-0042\n', version: 2 }));
    expect(html).toContain('FEAT-0042');
    expect(html).toContain('version 2');
    expect(html).toContain('src/signup/');
    expect(html).toContain('src/billing');
    expect(html).toContain('an error is shown');
    expect(html).toContain('users-api');
    expect(renderToStaticMarkup(createElement(SpecView, { spec: null }))).toContain('not been planned');
    const invalid = renderToStaticMarkup(createElement(SpecView, { spec: null, issues: [{ path: 'acceptance[2].id', message: 'must be an acceptance id' }] }));
    expect(invalid).toContain('acceptance[2].id');
  });

  it('shows each gate with status, mode, score and waiver', () => {
    const html = renderToStaticMarkup(
      createElement(GateResults, {
        results: [
          { gate: 'tests', status: 'fail', mode: 'block', score: 2 / 3, details: 'npm test exited with 1\n2 passed, 1 failed', durationMs: 1500 },
          { gate: 'lint', status: 'pass', mode: 'block', score: 1, details: 'waived by WV-0001', durationMs: 20, waiverId: 'WV-0001' },
        ],
        pending: ['typecheck'],
      }),
    );
    expect(html).toContain('1 blocking');
    expect(html).toMatch(/data-gate="tests" data-status="fail"/);
    expect(html).toContain('67%');
    expect(html).toContain('1.5 s');
    expect(html).toContain('WV-0001');
    expect(html).toMatch(/data-gate="typecheck" data-status="pending"/);
  });

  it('shows each judge\'s latest vote, confidence, reasons and the dissent', () => {
    const events = [
      ev(1, 'council.vote', { judgeId: 'technical', verdict: 'fail', confidence: 0.7, reasons: ['no error handling'], round: 1, subject: 'plan' }),
      ev(2, 'council.vote', { judgeId: 'constitutional', verdict: 'pass', confidence: 0.9, reasons: ['in scope'], round: 1, subject: 'plan' }),
      ev(3, 'council.vote', { judgeId: 'quality', verdict: 'fail', confidence: 0, reasons: ['fail-closed'], round: 1, subject: 'plan', error: 'timed out after 50 ms' }),
      ev(4, 'council.vote', { judgeId: 'integration', verdict: 'pass', confidence: 0.8, reasons: ['no contract touched'], round: 1, subject: 'plan' }),
      ev(5, 'council.vote', { judgeId: 'technical', verdict: 'pass', confidence: 0.6, reasons: ['convinced'], round: 2, subject: 'plan' }),
      ev(6, 'council.verdict', { decision: 'accept', score: 0.8, threshold: 0.6, subject: 'plan', dissent: [{ judgeId: 'quality', verdict: 'fail', reasons: ['timed out'] }] }),
      ev(7, 'gate.result', { gate: 'tests', status: 'pass', details: 'ok', mode: 'block', score: 1, durationMs: 12 }),
    ];
    const { votes, outcome } = councilFromEvents(events, 'plan');
    expect(votes).toHaveLength(5);
    const html = renderToStaticMarkup(createElement(CouncilVotes, { title: 'Plan review', votes, ...(outcome ? { outcome } : {}) }));
    expect(html).toContain('accepted');
    expect(html).toMatch(/data-judge="technical" data-verdict="pass"/);
    expect(html).toContain('convinced');
    expect(html).not.toContain('no error handling');
    expect(html).toContain('confidence 90%');
    expect(html).toContain('counted as a fail');
    expect(html).toContain('Dissent');
    expect(html).toMatch(/<strong>quality<\/strong> voted fail: timed out/);
    expect(councilFromEvents(events, 'change')).toEqual({ votes: [] });
    expect(gatesFromEvents(events)).toEqual([{ gate: 'tests', status: 'pass', mode: 'block', score: 1, details: 'ok', durationMs: 12 }]);
  });

  it('starts over when the council reviews again', () => {
    const events = [
      ev(1, 'council.vote', { judgeId: 'technical', verdict: 'fail', confidence: 0.7, reasons: ['old'], subject: 'change' }),
      ev(2, 'council.verdict', { decision: 'modify', score: 0.55, subject: 'change' }),
      ev(3, 'council.vote', { judgeId: 'technical', verdict: 'pass', confidence: 0.7, reasons: ['new'], subject: 'change' }),
    ];
    const live = councilFromEvents(events, 'change');
    expect(live.outcome).toBeUndefined();
    expect(live.votes.map((v) => v.reasons[0])).toEqual(['new']);
    expect(renderToStaticMarkup(createElement(CouncilVotes, { title: 'Change review', votes: live.votes }))).toContain('voting (1/4)');
  });
});

describe('governance settings views', () => {
  it('shows each tier\'s budget, coverage and gate modes', () => {
    const html = renderToStaticMarkup(createElement(PolicyEditor, { policy: DEFAULT_POLICY, onSave: async () => null }));
    expect(html).toMatch(/aria-label="Tier 1 files" value="10"/);
    expect(html).toMatch(/aria-label="Tier 3 lines" value="40000"/);
    expect(html).toMatch(/aria-label="Tier 1 coverage percent" value="90"/);
    expect(html).toContain('Tier 2 Coverage mode');
  });

  it('lists waivers with their derived status and offers only the actions that apply', () => {
    const base: Omit<Waiver, 'id' | 'status'> = {
      title: 'Generated clients', gates: ['budget'], reason: 'generated code', createdBy: 'alice', createdAt: 1, expiresAt: 2,
      approver: null, approverVia: null, approverOsUser: null, approvedAt: null, revokedAt: null, revokedBy: null, revokeReason: null, specId: null, maxUses: 3, budgetDelta: { files: 5, lines: 100 }, uses: 1,
    };
    const html = renderToStaticMarkup(
      createElement(WaiversPanel, {
        waivers: [
          { ...base, id: 'WV-0001', status: 'pending' },
          { ...base, id: 'WV-0002', status: 'revoked', revokedBy: 'carol' },
        ],
        actor: 'bob',
        onCreate: async () => null,
        onApprove: async () => null,
        onRevoke: async () => null,
      }),
    );
    expect(html).toMatch(/data-waiver="WV-0001" data-status="pending"/);
    expect(html).toContain('1 / 3');
    expect(html).toContain('+5 files, +100 lines');
    expect(html.match(/>Approve</g)).toHaveLength(1);
    expect(html.match(/>Revoke</g)).toHaveLength(1);
    expect(html).toContain('revoked by carol');
  });
});
