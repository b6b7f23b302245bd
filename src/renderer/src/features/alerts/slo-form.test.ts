import { describe, expect, it } from 'vitest';
import { DEFAULT_SLOS } from '../../../../shared/channels/slo';
import { describeChange, fromContractIssues, fromForm, toForm } from './slo-form';

const shipped = (id: string) => DEFAULT_SLOS.find((d) => d.id === id)!;

describe('the objectives form', () => {
  it('round-trips a definition through percents, hours and minutes', () => {
    for (const d of DEFAULT_SLOS) {
      const r = fromForm(toForm(d));
      expect(r.ok && r.definition).toEqual(d);
    }
    const f = { ...toForm(shipped('task_success')), targetPercent: '97.5', windowHours: '48' };
    expect(fromForm(f)).toMatchObject({ ok: true, definition: { target: 0.975, windowMs: 48 * 3600_000 } });
  });

  it('keys every message by the field it is about, in the units the person typed', () => {
    const f = toForm(shipped('council_review_latency_p95'));
    const bad = fromForm({ ...f, targetPercent: '150', windowHours: 'soon', threshold: '-1', rules: f.rules.map((r, i) => (i === 1 ? { ...r, factor: '' } : r)) });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors['targetPercent']).toMatch(/below 100%/);
    expect(bad.errors['windowHours']).toMatch(/must be a number/);
    expect(bad.errors['threshold']).toMatch(/above 0/);
    expect(bad.errors['rules[1].factor']).toMatch(/required/);
    expect(fromForm({ ...f, threshold: ' ' })).toMatchObject({ ok: false, errors: { threshold: 'the threshold is required' } });
    expect(fromForm({ ...toForm(shipped('crash_recoveries')), maxEvents: '' })).toMatchObject({ ok: false, errors: { maxEvents: 'the budget is required' } });
  });

  it('names the form field of a refusal the core sends back', () => {
    expect(fromContractIssues([{ path: 'definition.rules[0].shortWindowMs', message: 'must be shorter than the long window' }, { path: 'definition.target', message: 'x' }])).toEqual({
      'rules[0].shortMinutes': 'must be shorter than the long window',
      targetPercent: 'x',
    });
  });

  it('says what a change moved', () => {
    const before = shipped('task_success');
    expect(describeChange({ seq: 2, ts: 1, sloId: 'task_success', actor: 'ana', before, after: { ...before, target: 0.95, enabled: false } })).toBe('target 90% → 95%, disabled');
  });
});
