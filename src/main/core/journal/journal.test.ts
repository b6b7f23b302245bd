import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, testCore } from '../../../../test/helpers';
import type { AgentEvent } from '../../../shared/domain/events';

let core: ReturnType<typeof testCore>;
afterEach(() => core?.cleanup());

describe('Journal', () => {
  it('assigns gap-free global and per-task sequence numbers', () => {
    core = testCore({ clock: new FakeClock() });
    const a = core.tasks.submit({ description: 'first task', repoPath: core.repo, mode: 'auto', riskTier: 2, priority: 'normal', maxIterations: 3 });
    const b = core.tasks.submit({ description: 'second task', repoPath: core.repo, mode: 'auto', riskTier: 2, priority: 'normal', maxIterations: 3 });
    const e1 = core.journal.append(a.id, { type: 'progress', payload: { percent: 10, message: 'x' } }, 'k1').event;
    const e2 = core.journal.append(b.id, { type: 'progress', payload: { percent: 20, message: 'y' } }, 'k2').event;
    expect([e1.seq, e2.seq]).toEqual([3, 4]);
    expect([e1.taskSeq, e2.taskSeq]).toEqual([2, 2]);
  });

  it('writes an idempotency key once: a replay returns the first event', () => {
    core = testCore();
    const t = core.tasks.submit({ description: 'some task', repoPath: core.repo, mode: 'auto', riskTier: 2, priority: 'normal', maxIterations: 3 });
    const first = core.journal.append(t.id, { type: 'progress', payload: { percent: 50, message: 'half' } }, 'same');
    const again = core.journal.append(t.id, { type: 'progress', payload: { percent: 99, message: 'other' } }, 'same');
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ event: first.event, duplicate: true });
    expect(core.tasks.get(t.id).events).toHaveLength(2);
  });

  it('publishes only after commit, and never what a rollback undid', () => {
    core = testCore();
    const t = core.tasks.submit({ description: 'some task', repoPath: core.repo, mode: 'auto', riskTier: 2, priority: 'normal', maxIterations: 3 });
    const heard: AgentEvent[] = [];
    core.journal.subscribe((e) => heard.push(e));
    expect(() =>
      core.journal.transaction(() => {
        core.journal.append(t.id, { type: 'progress', payload: { percent: 1, message: 'a' } }, 'r1');
        expect(heard).toHaveLength(0);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(heard).toHaveLength(0);
    expect(core.tasks.get(t.id).events.map((e) => e.type)).toEqual(['task.created']);

    core.journal.transaction(() => {
      core.journal.append(t.id, { type: 'progress', payload: { percent: 2, message: 'b' } }, 'r2');
      try {
        core.journal.transaction(() => {
          core.journal.append(t.id, { type: 'progress', payload: { percent: 3, message: 'c' } }, 'r3');
          throw new Error('inner');
        });
      } catch {
        // The inner part rolls back alone.
      }
    });
    expect(heard.map((e) => e.type === 'progress' && e.payload.message)).toEqual(['b']);
  });

  it('keeps publishing to other listeners when one throws', () => {
    core = testCore();
    const t = core.tasks.submit({ description: 'some task', repoPath: core.repo, mode: 'auto', riskTier: 2, priority: 'normal', maxIterations: 3 });
    const heard: number[] = [];
    core.journal.subscribe(() => {
      throw new Error('bad listener');
    });
    core.journal.subscribe((e) => heard.push(e.seq));
    core.journal.append(t.id, { type: 'progress', payload: { percent: 5, message: 'x' } }, 'z');
    expect(heard).toHaveLength(1);
  });
});
