import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EVENT_PAYLOADS, type NewEvent } from '../../../shared/domain/events';
import { openDatabase, type Db } from '../db/open';
import type { GateResult } from '../gates/types';
import { silentLogger } from '../observability/logger';
import { WorkspaceManager } from '../workspace/manager';
import { initRepo } from '../workspace/testing/git-fixture';
import type { Workspace } from '../workspace/workspace';
import { AgentLoop, type LoopOptions } from './loop';
import { FnGateRunner, gate } from './testing/gates';
import { HANG, ScriptedModel, type ScriptStep } from './testing/scripted-model';

const TASK = 'tsk_00000000000c';
const clock = { now: () => 1_800_000_000_000 };

/** The fixture's "quality" is the number in value.txt: gates and the criterion read it. */
const write = (value: string | number, reason = `set the value to ${value}`) => ({
  action: 'write',
  reason,
  confidence: 0.7,
  criteria_met: [],
  edits: [{ op: 'write', path: 'value.txt', content: `${value}\n`, to: '', hunks: [] }],
});
const writeAt = (path: string, value: string | number) => ({ ...write(value), edits: [{ op: 'write', path, content: `${value}\n`, to: '', hunks: [] }] });
const noop = { action: 'no-op', reason: 'nothing to do', confidence: 0.5, criteria_met: [], edits: [] };

describe('AgentLoop', () => {
  let base: string;
  let db: Db;
  let ws: Workspace;
  let events: { event: NewEvent; key: string }[];

  beforeEach(async () => {
    base = mkdtempSync(join(tmpdir(), 'aa-loop-'));
    const repo = join(base, 'repo');
    initRepo(repo, { 'value.txt': '0.1\n', 'README.md': 'fixture\n' });
    db = openDatabase({ file: ':memory:', logger: silentLogger() });
    const manager = new WorkspaceManager({ root: join(base, 'workspaces'), db, logger: silentLogger(), clock });
    ws = await manager.create({ taskId: TASK, source: repo });
    events = [];
  });
  afterEach(() => {
    db.close();
    rmSync(base, { recursive: true, force: true });
  });

  const value = () => readFileSync(join(ws.dir, 'value.txt'), 'utf8');
  const valueGate = (name = 'quality') =>
    new FnGateRunner((ctx) => {
      const raw = readFileSync(join(ctx.workspaceDir, 'value.txt'), 'utf8').trim();
      const v = Number(raw);
      if (!Number.isFinite(v)) return [gate(name, 'fail', 0)];
      return [gate(name, v >= 0.9 ? 'pass' : 'fail', Math.min(1, v))];
    });

  function loop(script: ScriptStep[], overrides: Partial<LoopOptions> = {}) {
    const model = overrides.model ?? new ScriptedModel(script);
    const agent = new AgentLoop({
      taskId: TASK,
      description: 'Raise the value in value.txt to at least 0.9.',
      spec: {
        id: 'FIX-0001',
        title: 'Raise the value',
        scope: { in: ['value.txt', 'src'] },
        acceptance: [{ id: 'A1', given: 'the fixture', when: 'the value is read', then: 'it is at least 0.9', test: 'check-value' }],
      },
      riskTier: 2,
      workspace: ws,
      model,
      gates: valueGate(),
      apply: { policy: { scope: { in: ['value.txt', 'src'] }, allow: ['**'] }, budget: { maxFiles: 5, maxLines: 100 } },
      runCriterion: async (_cmd, { cwd }) => {
        const v = Number(readFileSync(join(cwd, 'value.txt'), 'utf8'));
        return { passed: v >= 0.9, output: `value is ${v}` };
      },
      emit: (event, key) => {
        events.push({ event, key });
      },
      logger: silentLogger(),
      clock,
      ...overrides,
    });
    return { agent, model: model as ScriptedModel };
  }

  const evaluated = () => events.filter((e) => e.event.type === 'iteration.evaluated').map((e) => e.event.payload as { iteration: number; stopReason?: string; outcome?: string; score: number });

  afterEach(() => {
    // Every event the loop emits must be valid for the journal, and every key unique.
    for (const { event } of events) expect(() => EVENT_PAYLOADS[event.type].parse(event.payload)).not.toThrow();
    expect(new Set(events.map((e) => e.key)).size).toBe(events.length);
  });

  it('stops when satisficed and reports each iteration with its score', async () => {
    const { agent } = loop([write(0.5), write(0.95)], { limits: { maxIterations: 10 } });
    const result = await agent.run();
    expect(result).toMatchObject({ stopReason: 'satisficed', iterations: 2, score: 0.98 });
    expect(events.map((e) => e.key)).toEqual(['iteration.1.started', 'iteration.1.evaluated', 'iteration.2.started', 'iteration.2.evaluated']);
    expect(evaluated()).toEqual([
      expect.objectContaining({ iteration: 1, score: 0.2, outcome: 'improved' }),
      expect.objectContaining({ iteration: 2, score: 0.98, outcome: 'improved', stopReason: 'satisficed' }),
    ]);
    expect(value()).toBe('0.95\n');
    expect(result.changes.map((c) => c.path)).toEqual(['value.txt']);
  });

  it('rolls back a change that lowers the score, restoring the exact prior bytes, and tells the worker', async () => {
    const { agent, model } = loop([write(0.6), write(0.3), write(0.95)], { limits: { maxIterations: 10 } });
    const result = await agent.run();
    expect(result.history.map((h) => h.outcome)).toEqual(['improved', 'rolled_back', 'improved']);
    expect(result.history[1]).toMatchObject({ rolledBack: true, score: 0.24, scoreBefore: 0.24 });
    expect(result.stopReason).toBe('satisficed');
    const thirdPrompt = model.calls[2]!.map((m) => m.content).join('\n');
    expect(thirdPrompt).toContain('lowered the score from 0.24 to 0.12 and was rolled back');
    expect(thirdPrompt).toContain('0.6\n');
  });

  it('leaves the workspace exactly as before the regressing change', async () => {
    const { agent } = loop([write(0.6), write(0.3)], { limits: { maxIterations: 2 } });
    const result = await agent.run();
    expect(result.stopReason).toBe('max_iterations');
    expect(value()).toBe('0.6\n');
  });

  it('stops at the quality ceiling when improvements stay under the minimum', async () => {
    const { agent } = loop([write(0.5), write(0.51), write(0.52), write(0.95)], { limits: { maxIterations: 10, plateauIterations: 2, minImprovement: 0.05 } });
    const result = await agent.run();
    expect(result).toMatchObject({ stopReason: 'quality_ceiling', iterations: 3 });
    expect(result.history.map((h) => h.outcome)).toEqual(['improved', 'kept', 'kept']);
    expect(evaluated().at(-1)).toMatchObject({ iteration: 3, stopReason: 'quality_ceiling' });
  });

  it('counts rolled-back iterations towards the quality ceiling', async () => {
    const { agent } = loop([write(0.6), write(0.2), write(0.3)], { limits: { maxIterations: 10, plateauIterations: 2 } });
    const result = await agent.run();
    expect(result).toMatchObject({ stopReason: 'quality_ceiling', iterations: 3 });
    expect(value()).toBe('0.6\n');
  });

  it('stops at the maximum number of iterations', async () => {
    const { agent } = loop([write(0.3), write(0.5), write(0.95)], { limits: { maxIterations: 2 } });
    const result = await agent.run();
    expect(result).toMatchObject({ stopReason: 'max_iterations', iterations: 2 });
    expect(evaluated().at(-1)).toMatchObject({ iteration: 2, stopReason: 'max_iterations' });
  });

  it('stops on no progress: no-ops', async () => {
    const { agent } = loop([noop, noop, write(0.95)], { limits: { maxIterations: 10 } });
    const result = await agent.run();
    expect(result).toMatchObject({ stopReason: 'no_progress', iterations: 2 });
    expect(result.history.map((h) => h.outcome)).toEqual(['no_op', 'no_op']);
  });

  it('stops on no progress: the same change again, a change to nothing, a return to an earlier state', async () => {
    const { agent } = loop([write(0.5), write(0.5), write(0.6), writeAt('./value.txt', 0.6), writeAt('./value.txt', 0.5), write(0.95)], {
      limits: { maxIterations: 10, noProgressIterations: 2 },
    });
    const result = await agent.run();
    // 0.5 (improved), 0.5 again (same proposal), 0.6 (kept: a new change resets the count),
    // 0.6 written again under another spelling (no line changes: tiny), 0.5 (back to an earlier state) → stop.
    expect(result.history.map((h) => h.outcome)).toEqual(['improved', 'repeated', 'improved', 'tiny', 'repeated']);
    expect(result.stopReason).toBe('no_progress');
    expect(value()).toBe('0.6\n');
  });

  it('stops on repeated patch failures, naming what blocked them, with the workspace untouched', async () => {
    const badHunk = { ...write(0), action: 'patch', edits: [{ op: 'patch', path: 'value.txt', content: '', to: '', hunks: [{ old_start: 1, lines: ['-0.7', '+0.9'] }] }] };
    const escape = { ...write(0), edits: [{ op: 'write', path: '../outside.txt', content: 'x', to: '', hunks: [] }] };
    const gitConfig = { ...write(0), edits: [{ op: 'write', path: '.git/config', content: 'x', to: '', hunks: [] }] };
    const { agent } = loop([badHunk, escape, gitConfig, write(0.95)], { limits: { maxIterations: 10 } });
    const result = await agent.run();
    expect(result).toMatchObject({ stopReason: 'patch_failures', iterations: 3 });
    expect(result.history.map((h) => h.outcome)).toEqual(['patch_failed', 'blocked', 'blocked']);
    const details = evaluated().map((e) => (e as { detail?: string }).detail ?? '');
    expect(details[1]).toContain('path.traversal');
    expect(details[2]).toContain('path.git-internal');
    expect(await ws.changes()).toEqual([]);
    expect(value()).toBe('0.1\n');
  });

  it('blocks edits outside the spec scope and over budget', async () => {
    const outOfScope = { ...write(0), edits: [{ op: 'write', path: 'README.md', content: 'x\n', to: '', hunks: [] }] };
    const overBudget = {
      ...write(0),
      edits: Array.from({ length: 6 }, (_, i) => ({ op: 'write', path: `src/f${i}.ts`, content: 'x\n', to: '', hunks: [] })),
    };
    const { agent } = loop([outOfScope, overBudget], { limits: { maxIterations: 2 } });
    const result = await agent.run();
    expect(result.history.map((h) => h.detail)).toEqual([expect.stringContaining('scope.in'), expect.stringContaining('budget.files')]);
  });

  it('retries invalid output a bounded number of times', async () => {
    const { agent, model } = loop([{ nonsense: true }, { action: 'write', reason: 'x', confidence: 7, criteria_met: [], edits: [] }, write(0.95)], {
      limits: { maxIterations: 3, maxInvalidRetries: 2 },
    });
    const result = await agent.run();
    expect(result).toMatchObject({ stopReason: 'satisficed', iterations: 1 });
    expect(model.calls).toHaveLength(3);
    // The retry tells the model what was wrong.
    expect(model.calls[1]!.at(-1)!.content).toMatch(/not valid: .*action/);
  });

  it('gives up on output that stays invalid, and on a model that keeps failing', async () => {
    const { agent, model } = loop(
      [
        ...Array.from({ length: 3 }, () => 'not json at all'),
        ...Array.from({ length: 3 }, () => new Error('Unexpected end of JSON input')),
        ...Array.from({ length: 3 }, () => new Error('connect ECONNREFUSED 127.0.0.1:8080')),
      ],
      { limits: { maxIterations: 10, maxInvalidRetries: 2, maxPatchFailures: 3 } },
    );
    const result = await agent.run();
    expect(result).toMatchObject({ stopReason: 'patch_failures', iterations: 3 });
    expect(result.history.map((h) => h.outcome)).toEqual(['invalid_output', 'invalid_output', 'model_error']);
    expect(model.calls).toHaveLength(9);
  });

  it('stops when a mandatory gate fails, rolling the change back', async () => {
    const gates = new FnGateRunner((ctx) => {
      const raw = readFileSync(join(ctx.workspaceDir, 'value.txt'), 'utf8').trim();
      return [gate('quality', 'fail', 0.1), gate('scope', raw === 'outside' ? 'fail' : 'pass')];
    });
    const { agent } = loop([write('outside'), write(0.95)], { gates, limits: { maxIterations: 5 } });
    const result = await agent.run();
    expect(result).toMatchObject({ stopReason: 'mandatory_gate_failed', iterations: 1 });
    expect(result.history[0]).toMatchObject({ outcome: 'mandatory_gate_failed', rolledBack: true });
    expect(value()).toBe('0.1\n');
  });

  it('stops before the first iteration when a mandatory gate already fails', async () => {
    const failing = loop([write(0.95)], { gates: new FnGateRunner(() => [gate('budget', 'fail')]) });
    expect(await failing.agent.run()).toMatchObject({ stopReason: 'mandatory_gate_failed', iterations: 0 });
    expect(failing.model.calls).toHaveLength(0);
    expect(evaluated().at(-1)).toMatchObject({ iteration: 0, stopReason: 'mandatory_gate_failed' });
  });

  it('stops before the first iteration when the workspace already meets the criteria', async () => {
    writeFileSync(join(ws.dir, 'value.txt'), '0.97\n');
    const { agent, model } = loop([write(0.95)]);
    expect(await agent.run()).toMatchObject({ stopReason: 'satisficed', iterations: 0 });
    expect(model.calls).toHaveLength(0);
  });

  it('never treats a gate runner that throws as a pass', async () => {
    const gates = new FnGateRunner(() => {
      throw new Error('gate runner crashed');
    });
    const { agent } = loop([write(0.95), write(0.96)], { gates, limits: { maxIterations: 2 } });
    const result = await agent.run();
    expect(result.stopReason).toBe('max_iterations');
    expect(result.evaluation?.satisficed).toBe(false);
    expect(result.evaluation?.gates[0]).toMatchObject({ gate: 'gate-runner', status: 'fail' });
  });

  it('stops on intervention: a cancel during the model call leaves the workspace as it was', async () => {
    const controller = new AbortController();
    const { agent } = loop([write(0.5), HANG], {
      signal: controller.signal,
      emit: (event, key) => {
        events.push({ event, key });
        if (key === 'iteration.2.started') setTimeout(() => controller.abort(), 10);
      },
      limits: { maxIterations: 10 },
    });
    const result = await agent.run();
    expect(result).toMatchObject({ stopReason: 'intervention', iterations: 2, detail: 'cancelled by the user' });
    expect(evaluated().at(-1)).toMatchObject({ iteration: 2, stopReason: 'intervention', outcome: 'interrupted' });
    expect(value()).toBe('0.5\n');
  });

  it('stops on intervention: a cancel while the gates run rolls the in-flight change back', async () => {
    const controller = new AbortController();
    const gates = new FnGateRunner((ctx, run) => {
      if (run === 2) {
        controller.abort();
        throw new DOMException('aborted', 'AbortError');
      }
      return valueGate().run(ctx);
    });
    const { agent } = loop([write(0.5)], { gates, signal: controller.signal });
    const result = await agent.run();
    expect(result).toMatchObject({ stopReason: 'intervention', iterations: 1 });
    expect(value()).toBe('0.1\n');
  });

  it('stops on intervention: a pause takes effect at the next iteration boundary', async () => {
    let paused = false;
    const { agent } = loop([write(0.5), write(0.95)], {
      shouldPause: () => paused,
      emit: (event, key) => {
        events.push({ event, key });
        if (key === 'iteration.1.evaluated') paused = true;
      },
      limits: { maxIterations: 10 },
    });
    const result = await agent.run();
    expect(result).toMatchObject({ stopReason: 'intervention', iterations: 1, detail: 'paused by the user' });
    expect(evaluated().at(-1)).toMatchObject({ iteration: 1, stopReason: 'intervention' });
    expect(value()).toBe('0.5\n');
  });

  it('takes guidance from the user into the next prompt', async () => {
    const notes = [['Prefer a value of exactly 0.95.'], []];
    const { agent, model } = loop([write(0.5), write(0.95)], { takeGuidance: () => notes.shift() ?? [], limits: { maxIterations: 10 } });
    await agent.run();
    expect(model.calls[0]!.map((m) => m.content).join('\n')).toContain('Guidance from the user (follow it)\n- Prefer a value of exactly 0.95.');
    expect(model.calls[1]!.map((m) => m.content).join('\n')).not.toContain('Prefer a value');
    expect(events[0]).toEqual({ event: { type: 'iteration.started', payload: { iteration: 1, guidance: 1 } }, key: 'iteration.1.started' });
  });

  it('compacts the prompt to fit the model context when a token budget is set', async () => {
    // Without a budget the full prompt shows the file's content.
    const full = loop([write(0.5)], { limits: { maxIterations: 1 }, emit: () => undefined });
    await full.agent.run();
    expect(full.model.calls[0]![1]!.content).toContain('## value.txt (1 lines)');

    const { agent, model } = loop([write(0.95)], { promptBudgetTokens: 400 });
    await agent.run();
    const prompt = model.calls[0]!;
    const size = await model.countTokens(prompt.map((m) => m.content).join('\n'));
    expect(size).toBeLessThanOrEqual(400);
    expect(prompt[0]!.content).toMatch(/^Propose one JSON action/);
    expect(prompt[1]!.content).toContain('Raise the value in value.txt');
  });

  it("counts a claimed criterion without a test only for a real change that passes the gates, the project's tests among them", async () => {
    const gates = new FnGateRunner((ctx) => {
      const raw = readFileSync(join(ctx.workspaceDir, 'value.txt'), 'utf8').trim();
      return [gate('tests', raw === 'broken' ? 'fail' : 'pass') as GateResult];
    });
    const claim = (v: string) => ({ ...write(v), criteria_met: ['A1'] });
    const { agent } = loop([claim('broken'), claim('fixed')], {
      gates,
      spec: { id: 'FIX-0001', title: 'Fix it', scope: { in: ['value.txt'] }, acceptance: [{ id: 'A1', given: 'g', when: 'w', then: 't' }] },
      limits: { maxIterations: 5 },
    });
    const result = await agent.run();
    expect(result.history.map((h) => h.outcome)).toEqual(['rolled_back', 'improved']);
    expect(result).toMatchObject({ stopReason: 'satisficed', score: 1 });
  });

  it("never counts a criterion without a test on the worker's bare claim: no test ran, so it is not met", async () => {
    const gates = new FnGateRunner(() => [gate('quality', 'pass') as GateResult, gate('tests', 'skip') as GateResult]);
    const claim = (v: string) => ({ ...write(v), criteria_met: ['A1'] });
    const { agent } = loop([claim('fixed'), claim('fixed again'), claim('fixed once more')], {
      gates,
      spec: { id: 'FIX-0001', title: 'Fix it', scope: { in: ['value.txt'] }, acceptance: [{ id: 'A1', given: 'g', when: 'w', then: 't' }] },
      limits: { maxIterations: 3 },
    });
    const result = await agent.run();
    expect(result.stopReason).not.toBe('satisficed');
    expect(result.evaluation?.criteria).toEqual([expect.objectContaining({ id: 'A1', met: false, evidence: expect.stringMatching(/no test checks it/) })]);
  });
});
