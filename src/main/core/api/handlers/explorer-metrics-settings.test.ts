import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from '../../../../../test/helpers';
import { ContractSession } from '../session';

let core: ReturnType<typeof testCore>;
afterEach(() => core?.cleanup());

const session = () => {
  core = testCore({ scheduler: { autoStart: false } });
  return new ContractSession(core, () => undefined);
};

describe('explorer, metrics and settings over the contract', () => {
  it('answers a query and refuses a write as data, with a code the page can show', async () => {
    const s = session();
    expect(await s.call('runExplorerQuery', { sql: 'SELECT 40 + 2 AS answer' })).toMatchObject({
      ok: true,
      value: { columns: ['answer'], rows: [[42]], truncated: false },
    });
    expect(await s.call('runExplorerQuery', { sql: 'DELETE FROM tasks' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await s.call('runExplorerQuery', { sql: '   ' })).toMatchObject({ ok: false, error: { code: 'invalid_input', issues: [{ path: 'sql' }] } });
    expect(await s.call('runExplorerQuery', { sql: 'SELECT 1', timeLimitMs: 10 * 60_000 })).toMatchObject({ ok: false, error: { issues: [{ path: 'timeLimitMs' }] } });
    expect(await s.call('listExplorerRows', { table: 'tasks', filters: [{ column: 'id', op: 'eq' }] })).toMatchObject({
      ok: false,
      error: { issues: [{ path: 'filters[0].value' }] },
    });
    await core.explorer.close();
  });

  it('reads metrics and settings, and names the bad field of a settings change', async () => {
    const s = session();
    expect(await s.call('getMetrics', {})).toMatchObject({ ok: true, value: { totals: { submitted: 0 } } });
    expect(await s.call('getSettings', {})).toMatchObject({ ok: true, value: { settings: { theme: 'system' }, dataDir: { changeable: false } } });
    expect(await s.call('updateSettings', { patch: { theme: 'dark' } })).toMatchObject({ ok: true, value: { settings: { theme: 'dark' } } });
    expect(await s.call('updateSettings', { patch: { threads: 0 } })).toMatchObject({ ok: false, error: { issues: [{ path: 'patch.threads' }] } });
    expect(await s.call('setDataDir', { path: '/tmp/elsewhere' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('takes an installed model as the embedding model, refuses a name it does not have, and clears it', async () => {
    const s = session();
    expect(await s.call('updateSettings', { patch: { knowledgeEmbeddingModel: 'nomic-embed' } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', issues: [{ path: 'patch.knowledgeEmbeddingModel', message: expect.stringContaining('"nomic-embed"') }] },
    });
    expect(core.settings.get().knowledgeEmbeddingModel).toBeUndefined();
    await core.models.addRemote({ name: 'nomic-embed', baseUrl: 'http://127.0.0.1:9/v1', model: 'nomic-embed-text' });
    expect(await s.call('updateSettings', { patch: { knowledgeEmbeddingModel: 'nomic-embed' } })).toMatchObject({ ok: true, value: { settings: { knowledgeEmbeddingModel: 'nomic-embed' } } });
    expect(await s.call('updateSettings', { patch: { knowledgeEmbeddingModel: '' } })).toMatchObject({ ok: true, value: { settings: { knowledgeEmbeddingModel: '' } } });
  });
});
