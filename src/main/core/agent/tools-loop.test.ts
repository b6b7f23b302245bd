import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, testCore } from '../../../../test/helpers';
import type { AgentEvent, Actor, NewEvent } from '../../../shared/domain/events';
import { SubmitTaskInput, type Task } from '../../../shared/domain/task';
import { AppFailure } from '../../../shared/errors';
import { ChangeApplier } from '../apply/apply-change';
import { eventsForTask } from '../db/queries/events';
import type { AwaitApproval, WorkOutcome } from '../engine/step';
import { ScriptedSteps } from '../engine/testing/scripted-steps';
import { statePath, waitForState } from '../engine/testing/wait';
import type { ChatMessage, GenerateOptions, JsonSchema } from '../models/types';
import { silentLogger } from '../observability/logger';
import { serializeSpec } from '../caws/yaml';
import { setTaskSpec } from '../db/queries/specs';
import { filesystemServer, specWithScope } from '../tools/testing/fixtures';
import { WorkspaceManager } from '../workspace/manager';
import { initRepo } from '../workspace/testing/git-fixture';
import type { Workspace } from '../workspace/workspace';
import { ACTION_JSON_SCHEMA, ACTION_WITH_TOOLS_JSON_SCHEMA } from './action';
import { AgentLoop, type LoopOptions, type LoopSpec } from './loop';
import { FnGateRunner, gate } from './testing/gates';
import { ScriptedModel } from './testing/scripted-model';
import { createWorkerSteps, type WorkerStepContext, type WorkerStepsDeps } from './worker-steps';

/**
 * The worker loop using tools: a scripted model proposes `tool_call` actions and the calls go to
 * the real third-party @modelcontextprotocol/server-filesystem over stdio, under the tool layer's
 * governance (permissions, path allow-list, journal). The fixture hides the answer in a file
 * outside the spec's scope, so the model only sees it if a tool result reaches its next prompt.
 */

const alice: Actor = { who: 'alice', via: 'window' };
const FILES = { 'notes/source.txt': 'the answer is 42\n', 'answer.txt': '?\n', 'README.md': 'fixture\n' };
const CHECK = 'test "$(cat answer.txt)" = 42';
const SPEC: LoopSpec = {
  id: 'FIX-0042',
  title: 'Write the answer',
  scope: { in: ['answer.txt'] },
  acceptance: [{ id: 'A1', given: 'the notes', when: 'answer.txt is read', then: 'it holds the answer from the notes', test: CHECK }],
};

const toolCall = (tool: string, args: Record<string, unknown>, reason = `call ${tool}`) => ({ action: 'tool_call', reason, tool, arguments_json: JSON.stringify(args) });
const writeAnswer = (value: string) => ({
  action: 'write',
  reason: `write ${value}`,
  confidence: 0.8,
  criteria_met: ['A1'],
  edits: [{ op: 'write', path: 'answer.txt', content: `${value}\n`, to: '', hunks: [] }],
});
const userPrompt = (messages: ChatMessage[]) => messages.find((m) => m.role === 'user')?.content ?? '';
const systemPrompt = (messages: ChatMessage[]) => messages.find((m) => m.role === 'system')?.content ?? '';

/** A scripted model that also records the JSON schema it was asked to follow. */
class RecordingModel extends ScriptedModel {
  readonly schemas: JsonSchema[] = [];
  override async generateJson(messages: ChatMessage[], schema: JsonSchema, options?: GenerateOptions) {
    this.schemas.push(schema);
    return super.generateJson(messages, schema, options);
  }
}

const answerGate = () =>
  new FnGateRunner((ctx) => {
    const answer = readFileSync(join(ctx.workspaceDir, 'answer.txt'), 'utf8').trim();
    return [gate('tests', answer === '42' ? 'pass' : 'fail')];
  });

type ToolEvent = Extract<AgentEvent, { type: 'tool.called' | 'tool.denied' }>;

describe('the worker loop with MCP tools', () => {
  let core: ReturnType<typeof testCore>;
  let root: ReturnType<typeof tempDir>;
  let repo: string;
  let manager: WorkspaceManager;

  beforeAll(async () => {
    root = tempDir('aa-tools-loop-');
    repo = join(root.dir, 'repo');
    initRepo(repo, FILES);
    core = testCore({ scheduler: { autoStart: false } });
    // The server may touch all of root; only the app's own check keeps a call inside the task's workspace.
    await core.tools.addServer(filesystemServer('fs', root.dir), false, 'test');
    await core.tools.restartServer('fs');
    manager = new WorkspaceManager({ root: join(root.dir, 'workspaces'), db: core.db, logger: silentLogger(), clock: core.clock });
  }, 30_000);

  afterAll(async () => {
    await core.tools.close();
    core.cleanup();
    root.cleanup();
  });

  afterEach(async () => {
    // Each test sets what it needs; nothing carries over.
    for (const tool of ['read_text_file', 'write_file']) await core.tools.setPermission('fs', tool, null, 'test');
  });

  async function newTask(): Promise<{ task: Task; ws: Workspace }> {
    const task = core.tasks.submit(SubmitTaskInput.parse({ description: 'Write the answer from notes/source.txt into answer.txt.', repoPath: repo, mode: 'dry-run' }));
    // Tool writes are held to the task's working spec, as the worker's own edits are.
    setTaskSpec(core.db, task.id, serializeSpec(specWithScope([...SPEC.scope.in])), Date.now());
    const ws = await manager.create({ taskId: task.id, source: repo });
    return { task, ws };
  }

  const toolEvents = (taskId: string): ToolEvent[] =>
    eventsForTask(core.db, taskId).filter((e): e is ToolEvent => e.type === 'tool.called' || e.type === 'tool.denied');

  function loop(task: Task, ws: Workspace, model: ScriptedModel, overrides: Partial<LoopOptions> = {}) {
    const events: NewEvent[] = [];
    const agent = new AgentLoop({
      taskId: task.id,
      description: task.description,
      spec: SPEC,
      riskTier: 2,
      workspace: ws,
      model,
      gates: answerGate(),
      apply: { policy: { scope: SPEC.scope, allow: ['**'] }, budget: { maxFiles: 5, maxLines: 100 } },
      runCriterion: async (_cmd, { cwd }) => {
        const answer = readFileSync(join(cwd, 'answer.txt'), 'utf8').trim();
        return { passed: answer === '42', output: `answer.txt holds ${answer}` };
      },
      emit: (event) => {
        events.push(event);
      },
      tools: { service: core.tools },
      logger: silentLogger(),
      clock: core.clock,
      ...overrides,
    });
    return { agent, events };
  }

  it('reads a file with a tool, gets the result in its next prompt, then writes the answer and satisfices', async () => {
    await core.tools.setPermission('fs', 'read_text_file', 'always', 'test');
    const { task, ws } = await newTask();
    const model = new RecordingModel([
      toolCall('fs.read_text_file', { path: 'notes/source.txt' }, 'the answer is in the notes'),
      // Writes whatever number the prompt shows: only a tool result can have put it there.
      (messages: ChatMessage[]) => writeAnswer(/the answer is (\d+)/.exec(userPrompt(messages))?.[1] ?? 'not found'),
    ]);
    const { agent, events } = loop(task, ws, model);
    const result = await agent.run();

    expect(result.stopReason).toBe('satisficed');
    expect(result.history.map((h) => h.outcome)).toEqual(['tool_called', 'improved']);
    expect(readFileSync(join(ws.dir, 'answer.txt'), 'utf8')).toBe('42\n');

    const [first, second] = model.calls;
    // The first prompt offers the tools (the scope hides the notes, so nothing else shows the answer).
    expect(systemPrompt(first!)).toContain('"action": "tool_call"');
    expect(userPrompt(first!)).toMatch(/## Tools\n[\s\S]*- fs\.read_text_file\(/);
    expect(userPrompt(first!)).not.toContain('the answer is 42');
    expect(userPrompt(second!)).toMatch(/## Tool results[^\n]*\n### Iteration 1: fs\.read_text_file\nTool fs\.read_text_file returned:\nthe answer is 42/);
    expect(model.schemas).toEqual([ACTION_WITH_TOOLS_JSON_SCHEMA, ACTION_WITH_TOOLS_JSON_SCHEMA]);

    const journaled = toolEvents(task.id);
    expect(journaled.map((e) => [e.type, e.payload.tool])).toEqual([['tool.called', 'fs.read_text_file']]);
    expect(journaled[0]!.payload).toMatchObject({ arguments: { path: join(ws.dir, 'notes/source.txt') }, allowedBy: { kind: 'policy' } });
    expect(events.filter((e) => e.type === 'iteration.evaluated').map((e) => e.payload)).toEqual([
      expect.objectContaining({ iteration: 1, outcome: 'tool_called' }),
      expect.objectContaining({ iteration: 2, outcome: 'improved', stopReason: 'satisficed' }),
    ]);
  }, 20_000);

  it('evaluates a tool that writes into the workspace like a change, and satisfices on it', async () => {
    await core.tools.setPermission('fs', 'write_file', 'always', 'test');
    const { task, ws } = await newTask();
    const model = new ScriptedModel([toolCall('fs.write_file', { path: 'answer.txt', content: '42\n' })]);
    const result = await loop(task, ws, model).agent.run();
    expect(result.stopReason).toBe('satisficed');
    expect(result.iterations).toBe(1);
    expect(result.history[0]).toMatchObject({ outcome: 'tool_called', score: 1, detail: expect.stringContaining('changed the workspace') });
    expect(result.changes.map((c) => c.path)).toEqual(['answer.txt']);
    expect(readFileSync(join(ws.dir, 'answer.txt'), 'utf8')).toBe('42\n');
  }, 20_000);

  it('refuses a tool set to never before it reaches the server, and says why in the next prompt', async () => {
    await core.tools.setPermission('fs', 'write_file', 'never', 'test');
    const { task, ws } = await newTask();
    let answerWhenAskedAgain = '';
    const model = new ScriptedModel([
      toolCall('fs.write_file', { path: 'answer.txt', content: '42\n' }),
      () => {
        answerWhenAskedAgain = readFileSync(join(ws.dir, 'answer.txt'), 'utf8');
        return writeAnswer('42');
      },
    ]);
    const result = await loop(task, ws, model).agent.run();

    expect(answerWhenAskedAgain).toBe('?\n');
    expect(result.history.map((h) => h.outcome)).toEqual(['tool_refused', 'improved']);
    expect(result.stopReason).toBe('satisficed');
    // A `never` tool is not offered, and a call to it anyway is refused with the reason.
    expect(userPrompt(model.calls[0]!)).not.toContain('fs.write_file');
    const next = userPrompt(model.calls[1]!);
    expect(next).toContain('Tool call fs.write_file was refused (permission): fs.write_file is set to never');
    expect(next).toMatch(/## Problem with your last proposal\nYour call of fs\.write_file was refused/);
    expect(toolEvents(task.id).map((e) => [e.type, e.type === 'tool.denied' ? e.payload.rule : null])).toEqual([['tool.denied', 'permission']]);
  }, 20_000);

  it('stops with no_progress when the model repeats the same tool call, without making it again', async () => {
    await core.tools.setPermission('fs', 'read_text_file', 'always', 'test');
    const { task, ws } = await newTask();
    const read = toolCall('fs.read_text_file', { path: 'notes/source.txt' });
    const model = new ScriptedModel([], read);
    const result = await loop(task, ws, model, { limits: { maxIterations: 20, noProgressIterations: 2 } }).agent.run();

    expect(result.stopReason).toBe('no_progress');
    expect(result.iterations).toBe(3);
    expect(result.history.map((h) => h.outcome)).toEqual(['tool_called', 'repeated', 'repeated']);
    expect(userPrompt(model.calls[2]!)).toContain('You already called fs.read_text_file with these arguments');
    expect(toolEvents(task.id)).toHaveLength(1);
  }, 20_000);

  it('without tools offers no tool call and treats one as invalid output', async () => {
    const { task, ws } = await newTask();
    const model = new RecordingModel([toolCall('fs.read_text_file', { path: 'notes/source.txt' }), toolCall('fs.read_text_file', { path: 'notes/source.txt' }), writeAnswer('42')]);
    const result = await loop(task, ws, model, { tools: undefined, limits: { maxInvalidRetries: 1 } }).agent.run();
    expect(result.stopReason).toBe('satisficed');
    expect(result.history.map((h) => h.outcome)).toEqual(['invalid_output', 'improved']);
    expect(result.history[0]!.detail).toContain('no tools are available here');
    expect(model.schemas.every((s) => s === ACTION_JSON_SCHEMA)).toBe(true);
    expect(systemPrompt(model.calls[0]!)).not.toContain('tool_call');
    expect(toolEvents(task.id)).toEqual([]);
  }, 20_000);

  describe('an ask tool in the worker step', () => {
    function workerSteps(model: ScriptedModel) {
      const deps: WorkerStepsDeps = {
        workspaces: manager,
        db: core.db,
        clock: core.clock,
        model,
        specOf: () => SPEC,
        gatesFor: () => answerGate(),
        budgetFor: () => ({ maxFiles: 5, maxLines: 100 }),
        applier: new ChangeApplier({ logger: silentLogger(), sign: async () => 'header.payload.signature' }),
        verdictOf: () => 'accept',
        tools: core.tools,
      };
      return createWorkerSteps(deps);
    }

    /** A step context as the engine builds it, with journaled effects kept across attempts. */
    function context(task: Task, attempt: number, approvals: WorkerStepContext['approvals'], effects: Map<string, unknown>): WorkerStepContext {
      const controller = new AbortController();
      return {
        taskId: task.id,
        task: { ...task, state: { kind: 'executing' } },
        mode: task.mode,
        round: 1,
        attempt,
        signal: controller.signal,
        guidance: [],
        takeGuidance: () => [],
        approvals,
        writeGuard: () => {
          throw new AppFailure('forbidden', 'dry-run: the target is read-only');
        },
        journalEffect: async (spec, perform) => {
          if (effects.has(spec.key)) return effects.get(spec.key) as never;
          const value = await perform({ key: spec.key, interrupted: false, signal: controller.signal });
          effects.set(spec.key, value);
          return value;
        },
        emit: (event) => ({ ...event, seq: 0, taskId: task.id, taskSeq: 0, ts: 0 }) as never,
        progress: () => undefined,
        logger: silentLogger(),
      };
    }

    it('returns awaitApproval; after approval the step makes the approved call and completes', async () => {
      await core.tools.setPermission('fs', 'write_file', 'ask', 'test');
      const task = core.tasks.submit(SubmitTaskInput.parse({ description: 'Write the answer into answer.txt.', repoPath: repo, mode: 'dry-run' }));
      setTaskSpec(core.db, task.id, serializeSpec(specWithScope([...SPEC.scope.in])), Date.now());
      const model = new ScriptedModel([toolCall('fs.write_file', { path: 'answer.txt', content: '42\n' }, 'write the answer')]);
      const steps = workerSteps(model);
      const effects = new Map<string, unknown>();

      const first: WorkOutcome | AwaitApproval = await steps.execute(context(task, 1, [], effects));
      expect(first).toEqual({ awaitApproval: { gate: 'tool', summary: expect.stringMatching(/^Run tool fs\.write_file with .*answer\.txt.* \[tool-call [0-9a-f]{24}\]$/) } });
      const ws = (await manager.open(task.id))!;
      expect(readFileSync(join(ws.dir, 'answer.txt'), 'utf8')).toBe('?\n');
      expect(toolEvents(task.id)).toEqual([]);
      if (!('awaitApproval' in first)) throw new Error('expected to wait');

      const second = await steps.execute(context(task, 2, [{ gate: 'tool', summary: first.awaitApproval.summary, actor: alice }], effects));
      expect(second).toEqual({ summary: expect.stringMatching(/^satisficed after 0 iteration\(s\), score 1\.00: 1 file\(s\)/) });
      expect(readFileSync(join(ws.dir, 'answer.txt'), 'utf8')).toBe('42\n');
      // The approved call ran; the model was not asked again.
      expect(model.calls).toHaveLength(1);
      const called = toolEvents(task.id);
      expect(called.map((e) => e.type)).toEqual(['tool.called']);
      expect(called[0]!.payload).toMatchObject({ tool: 'fs.write_file', allowedBy: { kind: 'approval', actor: alice, scope: 'once' } });

      // Running the step again (a retry) does not repeat the approved call.
      await steps.execute(context(task, 3, [{ gate: 'tool', summary: first.awaitApproval.summary, actor: alice }], effects));
      expect(toolEvents(task.id)).toHaveLength(1);
    }, 30_000);
  });
});

describe('an ask tool in the task engine', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  it('puts the task in awaiting_approval (tool); approving runs the step again, which makes the call and completes', async () => {
    const root = tempDir('aa-tools-engine-');
    cleanups.push(() => root.cleanup());
    const repo = join(root.dir, 'repo');
    initRepo(repo, FILES);
    const model = new ScriptedModel([toolCall('fs.write_file', { path: 'answer.txt', content: '42\n' }, 'write the answer')]);
    let manager: WorkspaceManager | undefined;
    const core = testCore({
      scheduler: { autoStart: false },
      engine: { concurrency: 1, watchdogIntervalMs: 0, retry: { baseDelayMs: 5, maxDelayMs: 20 } },
      steps: (c) => {
        manager = new WorkspaceManager({ root: join(root.dir, 'workspaces'), db: c.db, logger: silentLogger(), clock: c.clock });
        const worker = createWorkerSteps({
          workspaces: manager,
          db: c.db,
          clock: c.clock,
          model,
          specOf: () => SPEC,
          gatesFor: () => answerGate(),
          budgetFor: () => ({ maxFiles: 5, maxLines: 100 }),
          applier: new ChangeApplier({ logger: silentLogger(), sign: async () => 'header.payload.signature' }),
          verdictOf: () => 'accept',
          tools: c.tools,
        });
        return new ScriptedSteps({ script: { plan: async () => ({ spec: serializeSpec(specWithScope([...SPEC.scope.in])), summary: 'plan' }), execute: (ctx) => worker.execute(ctx) } });
      },
    });
    cleanups.push(() => core.cleanup());
    cleanups.push(() => core.tools.close());
    await core.tools.addServer(filesystemServer('fs', root.dir), false, 'test');
    await core.tools.restartServer('fs');
    await core.tools.setPermission('fs', 'write_file', 'ask', 'test');

    const task = core.tasks.submit(SubmitTaskInput.parse({ description: 'Write the answer into answer.txt.', repoPath: repo, mode: 'dry-run' }));
    // Set in the same tick as the submit, before the engine's first step runs.
    setTaskSpec(core.db, task.id, serializeSpec(specWithScope([...SPEC.scope.in])), Date.now());
    const waiting = await waitForState(core.db, task.id, 'awaiting_approval', 20_000).catch((e: Error) => {
      throw new Error(`${e.message}; events: ${JSON.stringify(eventsForTask(core.db, task.id).map((x) => [x.type, x.payload]))}`.slice(0, 3000));
    });
    expect(waiting.state).toEqual({ kind: 'awaiting_approval', from: 'executing', waitingFor: 'tool' });
    expect(core.tools.pendingCall(task.id)).toMatchObject({ tool: 'fs.write_file', arguments: { content: '42\n' } });

    core.tools.approveCall(task.id, alice, 'once', (id, actor) => core.engine!.approve(id, actor, 'tool'));
    await waitForState(core.db, task.id, 'completed', 20_000);
    expect(statePath(core.db, task.id)).toContain('awaiting:tool');
    expect(readFileSync(join((await manager!.open(task.id))?.dir ?? join(root.dir, 'gone'), 'answer.txt'), 'utf8')).toBe('42\n');
    expect(model.calls).toHaveLength(1);
    const events = eventsForTask(core.db, task.id);
    const called = events.filter((e) => e.type === 'tool.called');
    expect(called).toHaveLength(1);
    expect(called[0]!.payload).toMatchObject({ tool: 'fs.write_file', allowedBy: { kind: 'approval', actor: alice } });
    const evaluated = events.filter((e): e is Extract<AgentEvent, { type: 'iteration.evaluated' }> => e.type === 'iteration.evaluated').map((e) => e.payload);
    expect(evaluated[0]).toMatchObject({ iteration: 1, outcome: 'awaiting_approval' });
    expect(evaluated.at(-1)).toMatchObject({ stopReason: 'satisficed' });
  }, 60_000);
});
