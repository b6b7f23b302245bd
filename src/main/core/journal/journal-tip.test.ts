import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from '../../../../test/helpers';
import { openDatabase } from '../db/open';
import { dataFiles } from '../paths';
import { silentLogger } from '../observability/logger';
import { hashRecord } from '../db/queries/chain';
import { chainRecordsForTask, iterateChain } from '../db/queries/chain-records';
import { Journal } from './journal';

let core: ReturnType<typeof testCore> | undefined;
afterEach(() => {
  core?.cleanup();
  core = undefined;
});

const progress = (percent: number) => ({ type: 'progress' as const, payload: { percent, message: `at ${percent}` } });

function expectIntactChain(db: Parameters<typeof iterateChain>[0], taskIds: string[]): void {
  const all = [...iterateChain(db)];
  all.forEach((r, i) => {
    expect(r.seq).toBe(i + 1);
    expect(r.recordHash).toBe(hashRecord(r));
    expect(r.prevHash).toBe(i === 0 ? null : all[i - 1]!.recordHash);
  });
  for (const id of taskIds) {
    const records = chainRecordsForTask(db, id);
    records.forEach((r, i) => {
      expect(r.taskSeq).toBe(i + 1);
      expect(r.taskPrevHash).toBe(i === 0 ? null : records[i - 1]!.recordHash);
    });
  }
}

function setup() {
  core = testCore();
  const a = core.tasks.submit({ description: 'first task', repoPath: core.repo, mode: 'auto', riskTier: 2, priority: 'normal', maxIterations: 3 });
  const b = core.tasks.submit({ description: 'second task', repoPath: core.repo, mode: 'auto', riskTier: 2, priority: 'normal', maxIterations: 3 });
  return { core, a: a.id, b: b.id };
}

describe('journal appends from the remembered chain tip', () => {
  it('links correctly after a transaction around an append rolled back', () => {
    const { core, a, b } = setup();
    core.journal.append(a, progress(1), 'a1');
    expect(() =>
      core.db.transaction(() => {
        core.journal.append(b, progress(2), 'b-rolled-back');
        throw new Error('undo');
      })(),
    ).toThrow('undo');
    const next = core.journal.append(b, progress(3), 'b3').event;
    expect(next.seq).toBe(4);
    expect(next.taskSeq).toBe(2);
    expectIntactChain(core.db, [a, b]);
  });

  it('links correctly after another connection appended', () => {
    const { core, a, b } = setup();
    core.journal.append(a, progress(1), 'a1');
    const other = openDatabase({ file: dataFiles(core.dataDir).database, logger: silentLogger() });
    try {
      new Journal({ db: other, clock: core.clock }).append(a, progress(2), 'a2-elsewhere');
      const mine = core.journal.append(a, progress(3), 'a3').event;
      expect(mine.seq).toBe(5);
      expect(mine.taskSeq).toBe(4);
      core.journal.append(b, progress(4), 'b4');
    } finally {
      other.close();
    }
    expectIntactChain(core.db, [a, b]);
  });

  it('returns the first event for a repeated key, writing nothing', () => {
    const { core, a } = setup();
    const first = core.journal.append(a, progress(1), 'same');
    core.journal.append(a, progress(2), 'other');
    const again = core.journal.append(a, progress(9), 'same');
    expect(again).toEqual({ event: first.event, duplicate: true });
    expect(core.tasks.get(a).events.map((e) => e.taskSeq)).toEqual([1, 2, 3]);
    expectIntactChain(core.db, [a]);
  });
});
