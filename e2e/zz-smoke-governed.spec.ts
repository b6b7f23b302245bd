import { expect, test } from '@playwright/test';
import { startGovernedHost } from './fixtures/governed-host';
import { makeGitFixture } from './fixtures/fixture-repo';

test('smoke', async () => {
  test.setTimeout(120_000);
  const host = await startGovernedHost();
  const repo = makeGitFixture();
  try {
    const before = repo.snapshot();
    const t = host.core.tasks.submit({ description: 'sum(2, 3) returns -1; make it add', repoPath: repo.dir, mode: 'dry-run', riskTier: 2, priority: 'normal', maxIterations: 3 });
    let state = '';
    for (let i = 0; i < 200; i++) {
      const cur = host.core.tasks.get(t.id);
      state = cur.task.state.kind;
      if (['completed', 'failed', 'cancelled'].includes(state) || state === 'awaiting_approval') break;
      await new Promise((r) => setTimeout(r, 300));
    }
    const cur = host.core.tasks.get(t.id);
    console.log(JSON.stringify(cur.task.state));
    for (const e of cur.events) if (e.type !== 'model.tokens' && e.type !== 'progress') console.log(e.type, JSON.stringify(e.payload).slice(0, 300));
    console.log('tokens events', cur.events.filter((e) => e.type === 'model.tokens').length);
    expect(repo.snapshot()).toEqual(before);
  } finally {
    await host.close();
    repo.cleanup();
  }
});
