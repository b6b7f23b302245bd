import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from '../../../test/helpers';
import { ok } from '../../shared/errors';
import { ScriptedSteps } from '../../main/core/engine/testing/scripted-steps';
import { InProcessClient } from '../client/in-process';
import { CommandContext, type CommonOptions } from '../context';
import { EXIT } from '../exit-codes';
import { memoryIo } from '../testing';
import { execute } from './execute';
import { decide, intervene } from './intervene';

/**
 * The commands against a core whose task engine runs scripted steps (this build's composition
 * roots do not wire real steps yet, so the built binary cannot run a task to completion).
 */

let core: ReturnType<typeof testCore> | undefined;
afterEach(async () => {
  await settle(core);
  core = undefined;
});

function engineCore(delayMs: number) {
  core = testCore({ steps: new ScriptedSteps({ delayMs }), scheduler: { autoStart: false } });
  return core;
}

/** A context whose client is an in-process client over `c` (closing the context closes the core). */
function contextFor(c: ReturnType<typeof testCore>, options: CommonOptions & Record<string, unknown> = {}) {
  const io = memoryIo();
  const ctx = new CommandContext(io, options, async () => ok(InProcessClient.over(c)));
  return { ctx, io };
}

async function submitted(c: ReturnType<typeof testCore>, mode: 'dry-run' | 'strict' = 'dry-run') {
  const task = c.tasks.submit({ description: 'Add input validation', repoPath: c.repo, mode, riskTier: 2, priority: 'normal', maxIterations: 3 });
  return task.id;
}

async function until(c: ReturnType<typeof testCore>, id: string, kind: string) {
  for (let i = 0; i < 300; i++) {
    if (c.tasks.get(id).task.state.kind === kind) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never reached ${kind}: ${c.tasks.get(id).task.state.kind}`);
}

describe('execute', () => {
  it('runs a dry-run to completion and follows it, exit 0; the repository is untouched', async () => {
    const c = engineCore(10);
    const { ctx, io } = contextFor(c, { repo: c.repo, mode: 'dry-run', tier: '2', maxIterations: '3', priority: 'normal' });
    const code = await execute(ctx, 'Add input validation to the signup form');
    await ctx.close();
    expect(code).toBe(EXIT.ok);
    expect(io.text()).toMatch(/Submitted tsk_\w+ \(dry-run, tier 2\) to the core in this process/);
    expect(io.text()).toMatch(/tsk_\w+ completed in/);
  });

  it('--allow-network grants the task network, says so, and journals the grant; without it there is none', async () => {
    const c = engineCore(10);
    const granted = contextFor(c, { repo: c.repo, mode: 'dry-run', tier: '2', maxIterations: '3', priority: 'normal', allowNetwork: true });
    expect(await execute(granted.ctx, 'Fetch the fixtures from the registry')).toBe(EXIT.ok);
    expect(granted.io.text()).toMatch(/Submitted tsk_\w+ \(dry-run, tier 2, network ALLOWED for its commands\)/);
    const plain = contextFor(c, { repo: c.repo, mode: 'dry-run', tier: '2', maxIterations: '3', priority: 'normal' });
    expect(await execute(plain.ctx, 'Stay offline please')).toBe(EXIT.ok);
    expect(plain.io.text()).not.toContain('network');
    const [second, first] = c.tasks.list({ limit: 10 });
    expect(first!.allowNetwork).toBe(true);
    expect(second!.allowNetwork).toBeUndefined();
    expect(c.tasks.get(first!.id).events.filter((e) => e.type === 'sandbox.network_granted')).toHaveLength(1);
    expect(c.tasks.get(second!.id).events.filter((e) => e.type === 'sandbox.network_granted')).toHaveLength(0);
    await granted.ctx.close();
  });

  it('names bad flags before anything is submitted', async () => {
    const c = engineCore(10);
    const { ctx, io } = contextFor(c, { repo: c.repo, mode: 'fast', tier: '9', maxIterations: '3', priority: 'normal' });
    expect(await execute(ctx, 'Add input validation')).toBe(EXIT.usage);
    expect(io.stderr.join('')).toMatch(/--mode: .*\n.*--tier/);
    expect(c.tasks.list({ limit: 10 })).toEqual([]);
  });
});

describe('intervene, approve, deny', () => {
  it('pauses, resumes, guides and cancels a running task', async () => {
    const c = engineCore(400);
    const id = await submitted(c);
    await until(c, id, 'planning');
    const run = async (act: string, text?: string, options: Record<string, unknown> = {}) => {
      const { ctx, io } = contextFor(c, options);
      const code = await intervene(ctx, id, act, text);
      return { code, out: io.text(), err: io.stderr.join('') };
    };
    expect(await run('pause')).toMatchObject({ code: EXIT.ok, out: expect.stringContaining('paused (was planning)') });
    expect(await run('pause')).toMatchObject({ code: EXIT.conflict });
    expect(await run('resume')).toMatchObject({ code: EXIT.ok, out: expect.stringContaining(': planning') });
    expect(await run('guide', 'keep the public API as it is')).toMatchObject({ code: EXIT.ok });
    expect(c.tasks.get(id).events.find((e) => e.type === 'task.guidance')?.payload).toMatchObject({ text: 'keep the public API as it is', actor: { via: 'cli' } });
    expect(await run('override', 'accept', { reason: 'looks right' })).toMatchObject({ code: EXIT.conflict });
    expect(await run('cancel', undefined, { reason: 'wrong repository' })).toMatchObject({ code: EXIT.ok, out: expect.stringContaining('cancelled: wrong repository') });
    expect(await run('resume')).toMatchObject({ code: EXIT.conflict });
  });

  it('approves and denies what a strict task waits for, recording the CLI as the channel', async () => {
    const c = engineCore(5);
    const a = await submitted(c, 'strict');
    await until(c, a, 'awaiting_approval');
    const approve = contextFor(c, { gate: 'plan' });
    expect(await decide(approve.ctx, a, 'approve')).toBe(EXIT.ok);
    expect(approve.io.text()).toContain(`${a}: approved`);
    expect(c.tasks.get(a).events.find((e) => e.type === 'approval.granted')?.payload).toMatchObject({ gate: 'plan', actor: { via: 'cli' } });

    const b = await submitted(c, 'strict');
    await until(c, b, 'awaiting_approval');
    const wrongGate = contextFor(c, { gate: 'apply' });
    expect(await decide(wrongGate.ctx, b, 'approve')).toBe(EXIT.conflict);
    const deny = contextFor(c, { reason: 'the plan touches billing' });
    expect(await decide(deny.ctx, b, 'deny')).toBe(EXIT.ok);
    expect(c.tasks.get(b).events.find((e) => e.type === 'approval.denied')?.payload).toMatchObject({ reason: 'the plan touches billing' });
  });
});

describe('approve --scope', () => {
  it('gives a standing approval for the rest of the task: the task completes without stopping again', async () => {
    const c = engineCore(5);
    const id = await submitted(c, 'strict');
    await until(c, id, 'awaiting_approval');
    const bad = contextFor(c, { scope: 'always' });
    expect(await decide(bad.ctx, id, 'approve')).toBe(EXIT.usage);
    expect(bad.io.stderr.join('')).toContain('--scope');
    const approve = contextFor(c, { gate: 'plan', scope: 'task' });
    expect(await decide(approve.ctx, id, 'approve')).toBe(EXIT.ok);
    expect(approve.io.text()).toContain(`${id}: approved for the rest of the task`);
    await until(c, id, 'completed');
    const granted = c.tasks.get(id).events.flatMap((e) => (e.type === 'approval.granted' ? [e.payload] : []));
    expect(granted.map((g) => [g.gate, g.actor.via, g.scope, g.standing?.scope])).toEqual([
      ['plan', 'cli', 'task', undefined],
      ['changeset', 'cli', undefined, 'task'],
      ['apply', 'cli', undefined, 'task'],
    ]);
  });
});

/**
 * Closes the core and removes its folder once the provenance writer is idle: a signature or audit
 * mirror started before close would otherwise write the folder back after it was removed.
 */
async function settle(c: { provenance: { whenIdle(): Promise<void> }; cleanup(): void } | undefined): Promise<void> {
  if (!c) return;
  await c.provenance.whenIdle();
  c.cleanup();
  await c.provenance.whenIdle();
  c.cleanup();
}
