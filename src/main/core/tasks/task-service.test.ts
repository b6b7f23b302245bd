import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, testCore } from '../../../../test/helpers';
import type { AgentEvent } from '../../../shared/domain/events';
import { SubmitTaskInput } from '../../../shared/domain/task';
import { AppFailure } from '../../../shared/errors';
import { createCore } from '../composition/app-core';
import { MAX_DETAIL_EVENTS } from './task-service';
import { silentLogger } from '../observability/logger';

let core: ReturnType<typeof testCore>;
afterEach(() => core?.cleanup());

const submit = (description: string, extra: Partial<SubmitTaskInput> = {}) =>
  core.tasks.submit(SubmitTaskInput.parse({ description, repoPath: core.repo, ...extra }));

describe('TaskService', () => {
  it('stores a submitted task as queued and journals task.created', () => {
    core = testCore({ clock: new FakeClock(1_000) });
    const task = submit('Add input validation', { mode: 'strict', riskTier: 1 });
    expect(task).toMatchObject({ state: { kind: 'queued' }, mode: 'strict', riskTier: 1, priority: 'normal', progress: 0, createdAt: 1_000 });
    const { task: stored, events } = core.tasks.get(task.id);
    expect(stored).toEqual(task);
    expect(events).toEqual([
      expect.objectContaining({ type: 'task.created', taskId: task.id, taskSeq: 1, payload: { task } }),
    ]);
  });

  it('survives a restart: the task and its journal are read back from disk', () => {
    core = testCore();
    const task = submit('Persisted task');
    core.close();
    const reopened = createCore({ dataDir: core.dataDir, logger: silentLogger() });
    expect(reopened.tasks.get(task.id).task.description).toBe('Persisted task');
    reopened.close();
  });

  it('refuses a relative or missing repository path, naming the field', () => {
    core = testCore();
    expect(() => submit('Something', { repoPath: 'relative/dir' })).toThrow(/repoPath: must be an absolute path/);
    try {
      submit('Something', { repoPath: join(core.repo, 'nope') });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppFailure);
      expect((e as AppFailure).issues).toMatchObject([{ path: 'repoPath', message: expect.stringMatching(/is not an existing folder$/) }]);
    }
    expect(core.tasks.list({ limit: 10 })).toEqual([]);
  });

  it('lists newest first with state filters and search (LIKE wildcards are literal)', () => {
    const clock = new FakeClock();
    core = testCore({ clock });
    const a = submit('Fix 100% of the bugs');
    clock.advance(10);
    const b = submit('Write docs');
    expect(core.tasks.list({ limit: 10 }).map((t) => t.id)).toEqual([b.id, a.id]);
    expect(core.tasks.list({ limit: 10, search: '100%' }).map((t) => t.id)).toEqual([a.id]);
    expect(core.tasks.list({ limit: 10, search: '%' }).map((t) => t.id)).toEqual([a.id]);
    expect(core.tasks.list({ limit: 10, states: ['completed'] })).toEqual([]);
    expect(core.tasks.list({ limit: 1 })).toHaveLength(1);
  });

  it('sends a long task\'s newest events to its detail view, in order', () => {
    core = testCore();
    const t = submit('Long task');
    for (let i = 1; i <= MAX_DETAIL_EVENTS + 10; i++) {
      core.journal.append(t.id, { type: 'progress', payload: { percent: (i / (MAX_DETAIL_EVENTS + 10)) * 100, message: `step ${i}` } }, `p${i}`);
    }
    const { events } = core.tasks.get(t.id);
    expect(events).toHaveLength(MAX_DETAIL_EVENTS);
    const last = events.at(-1)!;
    expect(last.type === 'progress' && last.payload.message).toBe(`step ${MAX_DETAIL_EVENTS + 10}`);
    expect(events.map((e) => e.taskSeq)).toEqual([...events.map((e) => e.taskSeq)].sort((a, b) => a - b));
  });

  it('reports an unknown task as not_found', () => {
    core = testCore();
    expect(() => core.tasks.get('tsk_0000000000')).toThrow(expect.objectContaining({ code: 'not_found' }));
  });

  it('subscribes with a snapshot, then only newer events, with nothing lost in between', () => {
    core = testCore();
    const first = submit('Before subscribing');
    const live: AgentEvent[] = [];
    const { snapshot, unsubscribe } = core.tasks.subscribe({}, (e) => live.push(e));
    expect(snapshot.tasks.map((t) => t.id)).toEqual([first.id]);
    expect(snapshot.lastSeq).toBe(1);
    const second = submit('After subscribing');
    expect(live.map((e) => [e.type, e.taskId])).toEqual([['task.created', second.id]]);
    unsubscribe();
    submit('After unsubscribing');
    expect(live).toHaveLength(1);
  });

  it('resumes after a sequence number: a reconnecting client gets exactly what it missed', () => {
    core = testCore();
    const a = submit('one');
    submit('two');
    submit('three');
    const { snapshot, unsubscribe } = core.tasks.subscribe({ afterSeq: 1 }, () => undefined);
    expect(snapshot.missed.map((e) => e.seq)).toEqual([2, 3]);
    unsubscribe();
    const onlyA = core.tasks.subscribe({ taskId: a.id, afterSeq: 0 }, () => undefined);
    expect(onlyA.snapshot.missed.map((e) => e.taskId)).toEqual([a.id]);
    expect(onlyA.snapshot.tasks.map((t) => t.id)).toEqual([a.id]);
    onlyA.unsubscribe();
  });
});

