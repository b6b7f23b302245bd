import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from '../../../../test/helpers';
import { sha256Hex } from '../db/canonical';
import { verifyBundle } from './bundle-verify';
import { taskWithHistory } from './testing/fixture';

let core: ReturnType<typeof testCore> | undefined;
afterEach(() => {
  core?.cleanup();
  core = undefined;
});

const SPEC = 'id: FEAT-0042\ntitle: Validate signup input\nrisk_tier: 2\nmode: feature\n';

/** Rows as the governance, engine and model areas write them (migrations 2-4). */
function governanceRows(c: ReturnType<typeof testCore>, taskId: string): void {
  const db = c.db;
  db.prepare(`INSERT INTO specs (task_id, spec_id, version, yaml, source, author, created_at) VALUES (?, 'FEAT-0042', 1, ?, 'planner', 'planner', 1)`).run(taskId, SPEC);
  db.prepare(
    `INSERT INTO verdicts (id, task_id, subject, decision, score, threshold, risk_tier, debate_rounds, vetoed, escalated, dissent, remediation, constitutional_refs, created_at)
     VALUES ('vrd_1', ?, 'change', 'accept', 0.86, 0.6, 2, 0, 0, 0, '[]', '[]', '[]', 2)`,
  ).run(taskId);
  db.prepare(
    `INSERT INTO votes (verdict_id, judge_id, round, weight, verdict, confidence, version, reasons, evidence, model)
     VALUES ('vrd_1', 'technical', 1, 0.2, 'pass', 0.8, '1', '["ok"]', '[]', 'judge-model-q8')`,
  ).run();
  db.prepare(
    `INSERT INTO gate_results (task_id, run_id, gate, status, mode, score, details, duration_ms, created_at)
     VALUES (?, 'run1', 'tests', 'pass', 'block', 1, '12 passed', 420, 3)`,
  ).run(taskId);
  db.prepare(
    `INSERT INTO task_approvals (task_id, gate, phase, round, summary, status, requested_at, decided_at, actor_json)
     VALUES (?, 'plan', 'reviewing_plan', 1, 'approve the plan', 'granted', 4, 5, '{"who":"alice","via":"window"}')`,
  ).run(taskId);
  db.prepare(
    `INSERT INTO models (name, kind, path, size_bytes, sha256, facts, added_at)
     VALUES ('judge-model-q8', 'gguf', '/models/judge.gguf', 1000, ?, '{"quantization":"Q8_0"}', 1)`,
  ).run(sha256Hex('judge weights'));
}

describe('what the bundle reads from other areas\u2019 tables', () => {
  it('takes spec, verdict and votes, gates, approvals with who, and model identities from their tables', async () => {
    core = testCore();
    const taskId = await taskWithHistory(core);
    governanceRows(core, taskId);
    const { bundle } = await core.provenance.exportBundle(taskId);
    const c = bundle.content;
    expect(c.spec).toEqual({ specId: 'FEAT-0042', version: 1, yaml: SPEC, sha256: sha256Hex(SPEC), source: 'specs:planner' });
    expect(c.verdicts?.find((v) => v.source === 'table')).toMatchObject({ table: 'verdicts', data: { id: 'vrd_1', decision: 'accept', score: 0.86 } });
    expect(c.votes?.find((v) => v.source === 'table')).toMatchObject({ table: 'votes', data: { judge_id: 'technical', model: 'judge-model-q8' } });
    expect(c.gateResults?.find((v) => v.source === 'table')).toMatchObject({ table: 'gate_results', data: { gate: 'tests', status: 'pass' } });
    expect(c.approvals?.find((v) => v.source === 'table')).toMatchObject({ table: 'task_approvals', data: { actor_json: '{"who":"alice","via":"window"}' } });
    expect(c.models).toContainEqual({ name: 'judge-model-q8', fileSha256: sha256Hex('judge weights'), quantization: 'Q8_0', source: 'registry' });
    expect((await verifyBundle(bundle)).ok).toBe(true);

    // A table-taken verdict altered after export is named like any entry.
    const tampered = structuredClone(bundle);
    const i = tampered.content.verdicts!.findIndex((v) => v.source === 'table');
    (tampered.content.verdicts![i]!.data as { decision: string }).decision = 'reject';
    const report = await verifyBundle(tampered);
    expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'altered', element: `verdicts[${i}]` }));
    // So is the spec.
    const spec = structuredClone(bundle);
    spec.content.spec!.yaml += 'scope: { in: ["**"] }\n';
    expect((await verifyBundle(spec)).problems).toContainEqual(expect.objectContaining({ kind: 'altered', element: 'spec', message: expect.stringMatching(/spec was altered/) as string }));
  });

  it('still exports when a table does not exist: that section is just empty', async () => {
    core = testCore();
    const taskId = await taskWithHistory(core);
    core.db.exec('DROP TABLE votes; DROP TABLE task_patches; DROP TABLE models;');
    const { bundle } = await core.provenance.exportBundle(taskId);
    expect(bundle.content.patch).toBeNull();
    expect(bundle.content.votes?.every((v) => v.source === 'event')).toBe(true);
    expect(bundle.content.models?.[0]?.source).toBe('journal');
    expect((await verifyBundle(bundle)).ok).toBe(true);
  });
});
