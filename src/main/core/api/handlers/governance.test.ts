import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testCore } from '../../../../../test/helpers';
import { ContractSession } from '../session';

const FIXTURES = join(__dirname, '../../../../../test/fixtures/caws');

describe('governance channels', () => {
  let core: ReturnType<typeof testCore>;
  let session: ContractSession;
  beforeEach(() => {
    core = testCore();
    session = new ContractSession(core, () => undefined, { via: 'window', human: true });
  });
  afterEach(() => {
    session.close();
    core.cleanup();
  });

  const call = async (channel: string, input: unknown) => {
    const result = await session.call(channel, input);
    if (!result.ok) throw Object.assign(new Error(result.error.message), { code: result.error.code, issues: result.error.issues });
    return result.value as Record<string, unknown>;
  };

  it('validates spec YAML, naming fields, and reports compliance of a valid one', async () => {
    const bad = await call('validateSpec', { yaml: readFileSync(join(FIXTURES, 'invalid/acceptance-bad-id-index-2.yaml'), 'utf8') });
    expect(bad).toMatchObject({ valid: false, spec: null, compliance: null });
    expect(bad['issues']).toEqual([{ path: 'acceptance[2].id', message: 'must be an acceptance id like A0, A1, A2' }]);
    const good = await call('validateSpec', { yaml: readFileSync(join(FIXTURES, 'valid/tier2-feature.yaml'), 'utf8') });
    expect(good).toMatchObject({ valid: true, spec: { id: 'FEAT-0042' } });
    expect((good['compliance'] as { compliance: number }).compliance).toBe(1);
  });

  it('creates, approves and revokes waivers with a derived status', async () => {
    const created = await call('createWaiver', {
      title: 'Generated clients',
      gates: ['budget'],
      reason: 'generated API clients exceed the budget',
      createdBy: 'alice',
      expiresAt: Date.now() + 3_600_000,
      budgetDelta: { files: 20, lines: 2000 },
      maxUses: 3,
      allSpecs: true,
    });
    expect(created).toMatchObject({ id: 'WV-0001', status: 'pending', uses: 0 });
    // A model's channel (MCP) cannot approve, nor can the creator.
    const mcp = new ContractSession(core, () => undefined, { via: 'mcp', human: false });
    expect(await mcp.call('approveWaiver', { id: 'WV-0001', approver: 'bob' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await expect(call('approveWaiver', { id: 'WV-0001', approver: 'alice' })).rejects.toMatchObject({ code: 'forbidden' });
    expect(await call('approveWaiver', { id: 'WV-0001', approver: 'bob' })).toMatchObject({ status: 'active', approver: 'bob', approverVia: 'window' });
    expect(await call('revokeWaiver', { id: 'WV-0001', revokedBy: 'carol', reason: 'done' })).toMatchObject({ status: 'revoked' });
    expect(await call('listWaivers', {})).toMatchObject([{ id: 'WV-0001', status: 'revoked' }]);
    await expect(call('approveWaiver', { id: 'WV-0001', approver: 'bob' })).rejects.toMatchObject({ code: 'conflict' });
    await expect(call('createWaiver', { title: 'x', gates: ['nope'], reason: 'r', createdBy: 'a', expiresAt: 1 })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('reads and edits the policy, refusing a tier 1 budget looser than tier 2', async () => {
    const policy = await call('getPolicy', {});
    expect(policy['budgets']).toEqual({ 1: { maxFiles: 10, maxLines: 250 }, 2: { maxFiles: 100, maxLines: 10_000 }, 3: { maxFiles: 500, maxLines: 40_000 } });
    const updated = await call('setPolicy', { patch: { budgets: { 1: { maxFiles: 12 } }, gateModes: { 3: { lint: 'skip' } } }, actor: 'alice' });
    expect(updated).toMatchObject({ budgets: { 1: { maxFiles: 12, maxLines: 250 } }, gateModes: { 3: { lint: 'skip', tests: 'block' } } });
    expect(await call('getPolicy', {})).toMatchObject({ budgets: { 1: { maxFiles: 12 } } });
    await expect(call('setPolicy', { patch: { budgets: { 1: { maxFiles: 1000 } } }, actor: 'alice' })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/budgets.1.maxFiles: must not exceed tier 2/) });
  });

  it('serves a task spec, gates and verdicts, and guards spec edits', async () => {
    const task = core.tasks.submit({ description: 'add validation', repoPath: core.repo, mode: 'strict', riskTier: 2, priority: 'normal', maxIterations: 5 });
    expect(await call('getTaskSpec', { taskId: task.id })).toEqual({ yaml: null, spec: null, version: null, versions: [] });
    expect(await call('getTaskGates', { taskId: task.id })).toEqual({ runId: null, createdAt: null, results: [] });
    expect(await call('getTaskVerdicts', { taskId: task.id })).toEqual({ verdicts: [] });
    const yaml = readFileSync(join(FIXTURES, 'valid/tier2-feature.yaml'), 'utf8');
    await expect(call('updateTaskSpec', { taskId: task.id, yaml, actor: 'alice' })).rejects.toMatchObject({ code: 'conflict' });
    await expect(call('getTaskGates', { taskId: 'tsk_doesnotexist00' })).rejects.toMatchObject({ code: 'not_found' });

    // Once the plan waits for approval, a human may edit it; the edit is a new version.
    core.db.prepare('UPDATE tasks SET state_kind = ?, state_json = ? WHERE id = ?').run(
      'awaiting_approval',
      JSON.stringify({ kind: 'awaiting_approval', from: 'reviewing_plan', waitingFor: 'plan' }),
      task.id,
    );
    const edited = await call('updateTaskSpec', { taskId: task.id, yaml, actor: 'alice' });
    expect(edited).toMatchObject({ version: 1, spec: { id: 'FEAT-0042' }, versions: [{ version: 1, source: 'user', author: 'alice' }] });
    await expect(call('updateTaskSpec', { taskId: task.id, yaml: yaml.replace('risk_tier: 2', 'risk_tier: 3'), actor: 'alice' })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/risk_tier: must stay 2/),
    });
    await expect(call('updateTaskSpec', { taskId: task.id, yaml: 'id: nope\n', actor: 'alice' })).rejects.toMatchObject({ code: 'invalid_input', issues: expect.arrayContaining([{ path: 'id', message: expect.any(String) }]) });
  });
});
