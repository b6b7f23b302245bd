import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { governanceDb } from '../../../../test/governance';
import { AppFailure } from '../../../shared/errors';
import { eventsForTask } from '../db/queries/events';
import { silentLogger } from '../observability/logger';
import { WaiverService } from './waiver-service';

const HOUR = 3_600_000;

describe('waivers', () => {
  let env: ReturnType<typeof governanceDb>;
  let waivers: WaiverService;
  beforeEach(() => {
    env = governanceDb();
    waivers = new WaiverService({ db: env.db, journal: env.journal, clock: env.clock, logger: silentLogger() });
  });
  afterEach(() => env.cleanup());

  const create = (over: Partial<Parameters<WaiverService['create']>[0]> = {}) =>
    waivers.create({
      ...(over.specId === undefined ? { allSpecs: true as const } : {}),
      title: 'Large generated fixtures',
      gates: ['budget'],
      reason: 'The generated fixtures exceed the tier budget by design',
      createdBy: 'alice',
      expiresAt: env.clock.now() + 2 * HOUR,
      ...over,
    });

  it('numbers waivers in the CAWS form and starts them pending', () => {
    const a = create();
    const b = create();
    expect([a.id, b.id]).toEqual(['WV-0001', 'WV-0002']);
    expect(a.status).toBe('pending');
    expect(waivers.activeFor('budget', null)).toEqual([]);
  });

  it('becomes active on approval and covers only its gates and spec', () => {
    const w = create({ gates: ['budget', 'lint'], specId: 'FEAT-0042' });
    const approved = waivers.approve(w.id, { who: 'bob', via: 'cli', osUser: 'bob' });
    expect(approved).toMatchObject({ status: 'active', approver: 'bob', approvedAt: env.clock.now() });
    expect(waivers.activeFor('lint', 'FEAT-0042').map((x) => x.id)).toEqual([w.id]);
    expect(waivers.activeFor('tests', 'FEAT-0042')).toEqual([]);
    expect(waivers.activeFor('lint', 'FEAT-0099')).toEqual([]);
  });

  it('expires by the clock alone, with nothing stored', () => {
    const w = waivers.approve(create().id, { who: 'bob', via: 'cli', osUser: 'bob' });
    env.clock.advance(2 * HOUR - 1);
    expect(waivers.get(w.id).status).toBe('active');
    env.clock.advance(1);
    expect(waivers.get(w.id).status).toBe('expired');
    expect(waivers.activeFor('budget', null)).toEqual([]);
    const row = env.db.prepare('SELECT * FROM waivers WHERE id = ?').get(w.id) as Record<string, unknown>;
    expect(Object.keys(row)).not.toContain('status');
    // An expired waiver cannot be used.
    const task = env.newTask();
    expect(() => waivers.recordUse({ waiverId: w.id, taskId: task.id, gate: 'budget', detail: 'x' })).toThrow(/expired/);
  });

  it('refuses an expiry in the past and approval of an expired waiver', () => {
    expect(() => create({ expiresAt: env.clock.now() })).toThrow(/expiresAt: must be in the future/);
    const w = create({ expiresAt: env.clock.now() + 1000 });
    env.clock.advance(1000);
    expect(() => waivers.approve(w.id, { who: 'bob', via: 'cli', osUser: 'bob' })).toThrow(/expired/);
  });

  it('revocation takes effect at once and cannot be undone by approving', () => {
    const w = waivers.approve(create().id, { who: 'bob', via: 'cli', osUser: 'bob' });
    const task = env.newTask();
    waivers.recordUse({ waiverId: w.id, taskId: task.id, gate: 'budget', detail: 'first' });
    const revoked = waivers.revoke(w.id, 'carol', 'no longer needed');
    expect(revoked).toMatchObject({ status: 'revoked', revokedBy: 'carol', revokeReason: 'no longer needed' });
    expect(waivers.activeFor('budget', null)).toEqual([]);
    const other = env.newTask();
    expect(() => waivers.recordUse({ waiverId: w.id, taskId: other.id, gate: 'budget', detail: 'x' })).toThrow(/revoked/);
    expect(() => waivers.approve(w.id, { who: 'bob', via: 'cli', osUser: 'bob' })).toThrow(/revoked/);
    expect(() => waivers.revoke(w.id, 'carol', 'again')).toThrow(/already revoked/);
  });

  it('counts uses per task and gate, journals each, and is exhausted at its maximum', () => {
    const w = waivers.approve(create({ gates: ['budget', 'lint'], maxUses: 2 }).id, { who: 'bob', via: 'cli', osUser: 'bob' });
    const t1 = env.newTask();
    const t2 = env.newTask();
    const t3 = env.newTask();
    expect(waivers.recordUse({ waiverId: w.id, taskId: t1.id, gate: 'budget', detail: '12/10 files' })).toEqual({ duplicate: false });
    // The same task re-running its gates does not spend the waiver again.
    expect(waivers.recordUse({ waiverId: w.id, taskId: t1.id, gate: 'budget', detail: 'again' })).toEqual({ duplicate: true });
    expect(waivers.get(w.id)).toMatchObject({ uses: 1, status: 'active' });
    waivers.recordUse({ waiverId: w.id, taskId: t2.id, gate: 'lint', detail: 'lint failed' });
    expect(waivers.get(w.id)).toMatchObject({ uses: 2, status: 'exhausted' });
    expect(() => waivers.recordUse({ waiverId: w.id, taskId: t3.id, gate: 'budget', detail: 'x' })).toThrow(/exhausted/);
    // A use already spent stays acknowledged.
    expect(waivers.recordUse({ waiverId: w.id, taskId: t1.id, gate: 'budget', detail: 'x' })).toEqual({ duplicate: true });

    const used = eventsForTask(env.db, t1.id).filter((e) => e.type === 'waiver.used');
    expect(used).toHaveLength(1);
    expect(used[0]!.payload).toEqual({ waiverId: w.id, gate: 'budget', detail: '12/10 files' });
  });

  it('refuses a use on a gate the waiver does not cover', () => {
    const w = waivers.approve(create({ gates: ['lint'] }).id, { who: 'bob', via: 'cli', osUser: 'bob' });
    const task = env.newTask();
    expect(() => waivers.recordUse({ waiverId: w.id, taskId: task.id, gate: 'tests', detail: 'x' })).toThrow(/does not cover the tests gate/);
  });

  it('validates input and names the field', () => {
    try {
      waivers.create({ title: 'ok title', gates: [], reason: 'short', createdBy: 'a', expiresAt: env.clock.now() + HOUR });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppFailure);
      expect((e as AppFailure).message).toMatch(/gates: must cover at least one gate/);
      expect((e as AppFailure).message).toMatch(/reason: must explain/);
    }
    expect(() => create({ specId: 'not-a-spec' })).toThrow(/specId/);
    expect(() => waivers.get('WV-9999')).toThrow(/no waiver/);
  });
});

describe('waiver approval fails closed', () => {
  let env: ReturnType<typeof governanceDb>;
  let waivers: WaiverService;
  beforeEach(() => {
    env = governanceDb();
    waivers = new WaiverService({ db: env.db, journal: env.journal, clock: env.clock, logger: silentLogger() });
  });
  afterEach(() => env.cleanup());
  const base = { title: 'Large generated fixtures', gates: ['budget' as const], reason: 'generated clients are large', createdBy: 'alice', expiresAt: 0 };
  const create = (over: Partial<Parameters<WaiverService['create']>[0]> = {}) => waivers.create({ ...base, expiresAt: env.clock.now() + 60_000, specId: 'FEAT-0042', ...over });

  it('refuses the creator as approver, whatever the case or spacing', () => {
    const w = create();
    expect(() => waivers.approve(w.id, { who: ' Alice ', via: 'window', osUser: 'alice' })).toThrow(/created this waiver and cannot approve it/);
    expect(waivers.get(w.id).status).toBe('pending');
  });

  it('refuses models and automation, by channel and by name', () => {
    const w = create();
    const asAny = (via: string) => ({ who: 'bob', via, osUser: 'bob' }) as unknown as Parameters<WaiverService['approve']>[1];
    expect(() => waivers.approve(w.id, asAny('mcp'))).toThrow(/must be approved by a person/);
    expect(() => waivers.approve(w.id, asAny('system'))).toThrow(/must be approved by a person/);
    for (const who of ['worker', 'planner', 'judge-technical', 'model', 'llama-3 model']) {
      expect(() => waivers.approve(w.id, { who, via: 'cli', osUser: 'bob' }), who).toThrow(/a person must approve/);
    }
    expect(waivers.get(w.id).status).toBe('pending');
  });

  it('records the channel and the OS user of a person who approves', () => {
    const w = waivers.approve(create().id, { who: 'bob', via: 'menu-bar', osUser: 'bob-os' });
    expect(w).toMatchObject({ status: 'active', approver: 'bob', approverVia: 'menu-bar', approverOsUser: 'bob-os' });
  });

  it('needs an explicit all-specs choice for an unscoped waiver, and shows it as such', () => {
    expect(() => waivers.create({ ...base, expiresAt: env.clock.now() + 60_000 })).toThrow(/specId: name the spec this waiver covers, or choose allSpecs/);
    expect(() => create({ allSpecs: true })).toThrow(/allSpecs: a waiver covers one spec or all specs/);
    const all = waivers.create({ ...base, expiresAt: env.clock.now() + 60_000, allSpecs: true });
    expect(all.specId).toBeNull();
  });
});
