import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { governanceDb } from '../../../../test/governance';
import { silentLogger } from '../observability/logger';
import { WaiverService } from './waiver-service';
import { workspaceWaiverCheck } from './workspace-check';

describe('budget waivers for the workspace applier', () => {
  let env: ReturnType<typeof governanceDb>;
  let waivers: WaiverService;
  beforeEach(() => {
    env = governanceDb();
    waivers = new WaiverService({ db: env.db, journal: env.journal, clock: env.clock, logger: silentLogger() });
  });
  afterEach(() => env.cleanup());

  const approved = (over: Partial<Parameters<WaiverService['create']>[0]>) =>
    waivers.approve(waivers.create({ title: 'Big refactor', gates: ['budget'], reason: 'splitting a module touches many files', createdBy: 'a', expiresAt: env.clock.now() + 60_000, ...(over.specId === undefined ? { allSpecs: true as const } : {}), ...over }).id, { who: 'b', via: 'cli', osUser: 'b' });

  it('approves an overrun an active waiver covers and spends one use', async () => {
    const task = env.newTask();
    const w = approved({ budgetDelta: { files: 5, lines: 0 }, specId: 'FEAT-0042' });
    const check = workspaceWaiverCheck(waivers, { taskId: task.id, specId: 'FEAT-0042' });
    expect(await check({ rule: 'budget.files', limit: 10, actual: 14, paths: ['a'] })).toEqual({ approved: true, waiverId: w.id });
    expect(waivers.get(w.id).uses).toBe(1);
    expect(await check({ rule: 'budget.files', limit: 10, actual: 16, paths: ['a'] })).toMatchObject({ approved: false });
    expect(await check({ rule: 'budget.lines', limit: 250, actual: 251, paths: ['a'] })).toMatchObject({ approved: false });
  });

  it('refuses without an active waiver: pending, expired, or for another spec', async () => {
    const task = env.newTask();
    waivers.create({ title: 'Not approved', gates: ['budget'], reason: 'still waiting for approval', createdBy: 'a', expiresAt: env.clock.now() + 60_000, allSpecs: true });
    approved({ specId: 'FEAT-0001' });
    const check = workspaceWaiverCheck(waivers, { taskId: task.id, specId: 'FEAT-0042' });
    expect(await check({ rule: 'budget.lines', limit: 250, actual: 300, paths: [] })).toEqual({ approved: false, reason: 'no active budget waiver covers this spec' });
    const blanket = approved({});
    expect(await check({ rule: 'budget.lines', limit: 250, actual: 300, paths: [] })).toEqual({ approved: true, waiverId: blanket.id });
    env.clock.advance(60_000);
    expect(await check({ rule: 'budget.lines', limit: 250, actual: 300, paths: [] })).toMatchObject({ approved: false });
  });
});
