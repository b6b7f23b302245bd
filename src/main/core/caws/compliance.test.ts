import { describe, expect, it } from 'vitest';
import type { WorkingSpec } from '../../../shared/domain/working-spec';
import { checkCompliance, RULES } from './compliance';

const base: WorkingSpec = {
  id: 'FEAT-0042',
  title: 'Add input validation',
  risk_tier: 2,
  mode: 'feature',
  lifecycle_state: 'active',
  blast_radius: { modules: ['signup'], data_migration: false },
  scope: { in: ['src/'] },
  invariants: ['accounts still sign in'],
  acceptance: [{ id: 'A1', given: 'g', when: 'w', then: 'an error is shown' }],
  non_functional: { security: ['server-side validation'] },
  contracts: [{ name: 'signup', type: 'behavior' }],
};
const rules = (r: ReturnType<typeof checkCompliance>) => r.violations.map((v) => v.rule);

describe('CAWS compliance', () => {
  it('holds every rule for a sound spec and suggests improvements', () => {
    const report = checkCompliance({ spec: base });
    expect(report).toMatchObject({ compliance: 1, violations: [], specId: 'FEAT-0042' });
    expect(report.suggestions.join(' ')).toMatch(/test command/);
  });

  it('reports an invalid spec by field', () => {
    const report = checkCompliance({ spec: { ...base, acceptance: [] } });
    expect(report.compliance).toBe(0);
    expect(report.violations).toEqual([{ rule: RULES.specValid, path: 'acceptance', message: 'must have at least one criterion' }]);
  });

  it('checks lifecycle, blockers, tier 1 tests, migrations and protected paths', () => {
    expect(rules(checkCompliance({ spec: { ...base, lifecycle_state: 'closed', resolution: 'completed' } }))).toEqual([RULES.lifecycle]);
    expect(rules(checkCompliance({ spec: { ...base, blockers: [{ reason: 'api freeze', waiting_on: 'platform team' }] } }))).toEqual([RULES.blockers]);
    const tier1: WorkingSpec = { ...base, risk_tier: 1, rollback: ['revert'], observability: ['log payment.retry'], operational_rollback_slo: '5m' };
    expect(rules(checkCompliance({ spec: tier1 }))).toEqual([RULES.testable]);
    expect(rules(checkCompliance({ spec: { ...base, blast_radius: { modules: ['db'], data_migration: true } } }))).toEqual([RULES.migration]);
    expect(rules(checkCompliance({ spec: { ...base, scope: { in: ['.git/hooks'] } } }))).toEqual([RULES.protectedPaths]);
    expect(rules(checkCompliance({ spec: { ...base, scope: { in: ['**'] } } }))).toEqual([RULES.protectedPaths]);
  });

  it('checks a change against scope and budget, honouring waived gates', () => {
    const changedFiles = [
      { path: 'src/a.ts', linesAdded: 200, linesRemoved: 100 },
      { path: 'package.json', linesAdded: 1, linesRemoved: 1 },
    ];
    const budget = { maxFiles: 10, maxLines: 250 };
    const report = checkCompliance({ spec: base, changedFiles, budget });
    expect(rules(report)).toEqual([RULES.scopeBoundary, RULES.budget]);
    expect(report.violations[1]!.message).toMatch(/2\/10 files, 302\/250 lines/);
    expect(rules(checkCompliance({ spec: base, changedFiles, budget, waivedGates: new Set(['scope', 'budget']) }))).toEqual([]);
  });

  it('counts waived evidence only under an active waiver it names', () => {
    const at = '2026-01-01T00:00:00Z';
    const evidence = ['WV-0001', 'WV-0002', 'WV-0003'].map((ref) => ({ criterion_id: 'A1', status: 'waived' as const, evidence_ref: ref, waiver_reason: 'flaky', recorded_at: at }));
    const spec = { ...base, evidence };
    const report = checkCompliance({ spec, waiverStatus: new Map([['WV-0001', 'active'], ['WV-0002', 'expired']]) });
    expect(report.violations.map((v) => v.message)).toEqual(['WV-0002 is expired; only active waivers count', 'WV-0003 is unknown; only active waivers count']);
    expect(report.violations[0]!.path).toBe('evidence[1].evidence_ref');
  });
});
