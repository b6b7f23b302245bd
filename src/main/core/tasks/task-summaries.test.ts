import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, testCore } from '../../../../test/helpers';
import { channels } from '../../../shared/contract';

let core: ReturnType<typeof testCore> | undefined;
afterEach(() => {
  core?.cleanup();
  core = undefined;
});

describe('task list from the summary projection', () => {
  it('pages newest first with cursors, without repeating or skipping tasks of equal times', () => {
    const clock = new FakeClock();
    core = testCore({ clock });
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      ids.push(core.tasks.submit({ description: `task number ${i}`, repoPath: core.repo, mode: 'auto', riskTier: 2, priority: 'normal', maxIterations: 3 }).id);
      // Pairs of tasks share a creation time, so the order within a page needs the id tie-break.
      if (i % 2 === 1) clock.advance(1000);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = core.tasks.listSummaries({ limit: 3, ...(cursor ? { cursor } : {}) });
      if (page.length === 0) break;
      seen.push(...page.map((t) => t.id));
      cursor = page.at(-1)!.cursor;
    }
    expect(new Set(seen).size).toBe(7);
    expect([...seen].sort()).toEqual([...ids].sort());
    const all = core.tasks.listSummaries({ limit: 100 });
    expect(all.map((t) => t.id)).toEqual(seen);
    expect(all.map((t) => t.createdAt)).toEqual([...all.map((t) => t.createdAt)].sort((a, b) => b - a));
  });

  it('answers the contract: no spec text, whether there is one, and the fields lists show', () => {
    core = testCore();
    const task = core.tasks.submit({ description: 'a listed task', repoPath: core.repo, mode: 'strict', riskTier: 1, priority: 'high', maxIterations: 4 });
    const [row] = core.tasks.listSummaries({ limit: 10 });
    expect(channels.listTasks.output.parse([row])).toHaveLength(1);
    expect(row).toMatchObject({ id: task.id, description: 'a listed task', mode: 'strict', riskTier: 1, priority: 'high', maxIterations: 4, hasSpec: false, state: { kind: 'queued' } });
    expect(row).not.toHaveProperty('spec');
  });

  it('refuses a cursor that is not one, naming the field', () => {
    const parsed = channels.listTasks.input.safeParse({ cursor: 'DROP TABLE tasks' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['cursor']);
  });
});
