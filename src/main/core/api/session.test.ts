import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from '../../../../test/helpers';
import type { AgentEvent } from '../../../shared/domain/events';
import { ContractSession } from './session';

let core: ReturnType<typeof testCore>;
afterEach(() => core?.cleanup());

describe('ContractSession', () => {
  it('rejects malformed input with an error naming each bad field', async () => {
    core = testCore();
    const session = new ContractSession(core, () => undefined);
    const r = await session.call('submitTask', { description: 'x', repoPath: '', mode: 'yolo', riskTier: 7, extra: 1 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('invalid_input');
    const paths = r.error.issues?.map((i) => i.path).sort();
    expect(paths).toEqual(['', 'description', 'mode', 'repoPath', 'riskTier']);
    expect(r.error.message).toContain('description: must be at least 3 characters');
    expect(r.error.message).toMatch(/Unrecognized key.*extra/);
  });

  it('rejects unknown channels and non-object input', async () => {
    core = testCore();
    const session = new ContractSession(core, () => undefined);
    expect(await session.call('dropTables', {})).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await session.call('__proto__', {})).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await session.call('getTask', 'tsk_123')).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await session.call('getTask', { id: '../../etc/passwd' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', issues: [{ path: 'id' }] },
    });
  });

  it('answers with data: submit, list, get, and not_found', async () => {
    core = testCore();
    const session = new ContractSession(core, () => undefined);
    const submitted = await session.call('submitTask', { description: 'Add tests', repoPath: core.repo });
    expect(submitted).toMatchObject({ ok: true, value: { state: { kind: 'queued' }, mode: 'dry-run', riskTier: 2 } });
    const list = await session.call('listTasks', {});
    expect(list).toMatchObject({ ok: true, value: [{ description: 'Add tests' }] });
    expect(await session.call('getTask', { id: 'tsk_0000000000' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('pushes events of its subscription until closed, and one subscription at a time', async () => {
    core = testCore();
    const pushed: AgentEvent[] = [];
    const session = new ContractSession(core, (e) => pushed.push(e));
    await session.call('subscribe', {});
    await session.call('subscribe', {});
    core.tasks.submit({ description: 'Live one', repoPath: core.repo, mode: 'auto', riskTier: 3, priority: 'low', maxIterations: 1 });
    expect(pushed).toHaveLength(1);
    session.close();
    core.tasks.submit({ description: 'Unheard', repoPath: core.repo, mode: 'auto', riskTier: 3, priority: 'low', maxIterations: 1 });
    expect(pushed).toHaveLength(1);
  });
});
