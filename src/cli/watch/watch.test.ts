import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from '../../../test/helpers';
import { ScriptedSteps } from '../../main/core/engine/testing/scripted-steps';
import { cliActor } from '../actor';
import { InProcessClient } from '../client/in-process';
import { CommandContext } from '../context';
import { EXIT } from '../exit-codes';
import { memoryIo } from '../testing';
import { watchTask } from './watch';

let client: InProcessClient | undefined;
let core: ReturnType<typeof testCore> | undefined;
afterEach(async () => {
  await client?.close();
  await settle(core);
  client = undefined;
  core = undefined;
});

function setup(steps = new ScriptedSteps({ delayMs: 20 })) {
  const c = testCore({ steps, scheduler: { autoStart: false } });
  core = c;
  client = InProcessClient.over(c);
  return { core: c, client, steps };
}

async function submit(c: InProcessClient, repo: string, mode: 'dry-run' | 'strict' = 'dry-run') {
  const r = await c.call('submitTask', { description: 'Add input validation', repoPath: repo, mode });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('watching a task', () => {
  it('follows a dry-run through every phase to completion and exits 0', async () => {
    const { core, client: c } = setup();
    const task = await submit(c, core.repo);
    const io = memoryIo();
    const code = await watchTask(new CommandContext(io, {}), c, task);
    expect(code).toBe(EXIT.ok);
    const out = io.text();
    for (const phase of ['planning', 'reviewing plan', 'executing', 'verifying', 'reviewing change']) expect(out).toContain(`phase ${phase} started`);
    expect(out).toContain('state: completed');
    expect(out).toMatch(new RegExp(`${task.id} completed in \\d+\\.\\ds`));
    expect(out).toContain('The target repository was not touched');
  });

  it('in strict mode says how to approve when nobody can be asked, and goes on once approved elsewhere', async () => {
    const { core, client: c } = setup();
    const task = await submit(c, core.repo, 'strict');
    const io = memoryIo();
    const approvals: string[] = [];
    const approver = setInterval(() => {
      void c.call('getTask', { id: task.id }).then(async (r) => {
        if (r.ok && r.value.task.state.kind === 'awaiting_approval') {
          const gate = r.value.task.state.waitingFor;
          const a = await c.call('approve', { id: task.id, actor: cliActor(), gate });
          if (a.ok) approvals.push(gate);
        }
      });
    }, 50);
    try {
      // Someone answers (here, from this process), so the watch keeps following.
      const code = await watchTask(new CommandContext(io, {}), c, task, { waitForHuman: { kind: 'always' } });
      expect(code).toBe(EXIT.ok);
    } finally {
      clearInterval(approver);
    }
    expect(approvals.length).toBeGreaterThan(0);
    const hints = io.stderr.join('');
    expect(hints).toContain(`agent-agency approve ${task.id}`);
    expect(io.text()).toMatch(/approval needed for plan/);
    expect(io.text()).toMatch(/plan approved by .+ via cli/);
  });

  it('never hangs silently: with no one to answer it prints the question and the exact commands, then stops (exit 8)', async () => {
    const { core, client: c } = setup();
    const task = await submit(c, core.repo, 'strict');
    const io = memoryIo();
    // An in-process engine without a prompt: nobody can answer while this process watches.
    const code = await watchTask(new CommandContext(io, {}), c, task);
    expect(code).toBe(EXIT.waitingForHuman);
    const err = io.stderr.join('');
    expect(err).toContain(`${task.id} needs a human: Approve the working spec (plan) so work can start?`);
    expect(err).toContain(`agent-agency approve ${task.id} --gate plan`);
    expect(err).toContain(`agent-agency deny ${task.id} --gate plan --reason`);
    expect(err).toMatch(/Stopped watching after .*waits for a human \(plan\)/);
    // The task goes on waiting; only the watch ended.
    const now = await c.call('getTask', { id: task.id });
    expect(now.ok && now.value.task.state).toMatchObject({ kind: 'awaiting_approval', waitingFor: 'plan' });
  });

  it('--wait-for-human=<duration> follows while the window is open: answered inside it, the watch goes on to the end', async () => {
    const { core, client: c } = setup();
    const task = await submit(c, core.repo, 'strict');
    const io = memoryIo();
    const approvals: string[] = [];
    const approver = setInterval(() => {
      void c.call('getTask', { id: task.id }).then(async (r) => {
        if (r.ok && r.value.task.state.kind === 'awaiting_approval') {
          const a = await c.call('approve', { id: task.id, actor: cliActor(), gate: r.value.task.state.waitingFor });
          if (a.ok) approvals.push(r.value.task.state.waitingFor);
        }
      });
    }, 50);
    try {
      // An in-process engine with nobody to prompt stops at once by default; a window keeps it following.
      expect(await watchTask(new CommandContext(io, { json: true }), c, task, { waitForHuman: { kind: 'for', ms: 10 * 60_000 } })).toBe(EXIT.ok);
    } finally {
      clearInterval(approver);
    }
    expect(approvals).toContain('plan');
    const lines = io.text().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l['type'] === 'human.needed')).toMatchObject({ gate: 'plan', waitForHuman: { kind: 'for', ms: 10 * 60_000 } });
    expect(lines.some((l) => l['type'] === 'watch.stopped')).toBe(false);
    expect(lines.at(-1)).toMatchObject({ task: { id: task.id, state: { kind: 'completed' } } });
  });

  it('--wait-for-human=<duration> stops once the window closes unanswered; --json says why in lines', async () => {
    const { core, client: c } = setup();
    const task = await submit(c, core.repo, 'strict');
    const io = memoryIo();
    const code = await watchTask(new CommandContext(io, { json: true }), c, task, { waitForHuman: { kind: 'for', ms: 20 } });
    expect(code).toBe(EXIT.waitingForHuman);
    const lines = io.text().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const needed = lines.find((l) => l['type'] === 'human.needed');
    expect(needed).toMatchObject({ taskId: task.id, gate: 'plan', waitForHuman: { kind: 'for', ms: 20 } });
    expect((needed!['commands'] as { command: string }[]).map((x) => x.command)).toContain(`agent-agency approve ${task.id} --gate plan`);
    expect(lines.at(-1)).toMatchObject({ type: 'watch.stopped', reason: 'waiting_for_human', gate: 'plan' });
    // Only the watch ended; the task still waits.
    const now = await c.call('getTask', { id: task.id });
    expect(now.ok && now.value.task.state).toMatchObject({ kind: 'awaiting_approval', waitingFor: 'plan' });
  });

  it('exits 1 when the task is cancelled from elsewhere', async () => {
    const { core, client: c } = setup(new ScriptedSteps({ delayMs: 400 }));
    const task = await submit(c, core.repo);
    const io = memoryIo();
    const watching = watchTask(new CommandContext(io, {}), c, task);
    await new Promise((r) => setTimeout(r, 100));
    const cancelled = await c.call('cancelTask', { id: task.id, actor: cliActor(), reason: 'wrong repository' });
    expect(cancelled.ok).toBe(true);
    expect(await watching).toBe(EXIT.failure);
    expect(io.text()).toContain('cancelled by');
  });

  it('with --json writes one event per line, then the final task', async () => {
    const { core, client: c } = setup();
    const task = await submit(c, core.repo);
    const io = memoryIo();
    expect(await watchTask(new CommandContext(io, { json: true }), c, task)).toBe(EXIT.ok);
    const lines = io.text().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ type: 'task.created', taskId: task.id });
    const seqs = lines.slice(0, -1).map((l) => l['seq'] as number);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(lines.at(-1)).toMatchObject({ task: { id: task.id, state: { kind: 'completed' } } });
  });

  it('redraws a live block in a terminal: phase, progress bar', async () => {
    const { core, client: c } = setup();
    const task = await submit(c, core.repo);
    const io = memoryIo({ isTTY: true, columns: 80 });
    expect(await watchTask(new CommandContext(io, {}), c, task)).toBe(EXIT.ok);
    const out = io.text();
    expect(out).toContain('\x1b['); // cursor movement: the block is redrawn in place
    expect(out).toMatch(/\[#{40}\] 100%/);
    expect(out).toContain(`${task.id}  dry-run  tier 2`);
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
