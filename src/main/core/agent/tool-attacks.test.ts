import { existsSync, readFileSync, symlinkSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, testCore } from '../../../../test/helpers';
import type { AgentEvent } from '../../../shared/domain/events';
import { SubmitTaskInput } from '../../../shared/domain/task';
import type { WorkingSpec } from '../../../shared/domain/working-spec';
import { serializeSpec } from '../caws/yaml';
import { eventsForTask } from '../db/queries/events';
import { setTaskSpec } from '../db/queries/specs';
import { silentLogger } from '../observability/logger';
import { filesystemServer } from '../tools/testing/fixtures';
import { WorkspaceManager } from '../workspace/manager';
import { initRepo } from '../workspace/testing/git-fixture';
import { AgentLoop } from './loop';
import { FnGateRunner, gate } from './testing/gates';
import { ScriptedModel } from './testing/scripted-model';

/**
 * A hostile model's tool calls, made the way a worker makes them: the agent loop proposes
 * `tool_call` actions that go through the core built by the composition root (its tools service,
 * path guard and the task's write policy from its working spec) to the real third-party
 * @modelcontextprotocol/server-filesystem, which is allowed the whole fixture root and the data
 * folder. Every refusal is therefore the app's own.
 */

const SPEC: WorkingSpec = {
  id: 'FIX-0017',
  title: 'Write the answer',
  risk_tier: 2,
  mode: 'fix',
  lifecycle_state: 'active',
  blast_radius: { modules: ['answer'], data_migration: false },
  scope: { in: ['answer.txt'] },
  invariants: ['nothing else changes'],
  acceptance: [{ id: 'A1', given: 'the repo', when: 'answer.txt is read', then: 'it holds 42' }],
  non_functional: { security: ['tools stay in the workspace'] },
  contracts: [{ name: 'answer', type: 'behavior' }],
};

type ToolEvent = Extract<AgentEvent, { type: 'tool.called' | 'tool.denied' }>;
const toolCall = (tool: string, args: unknown) => ({ action: 'tool_call', reason: 'attack', tool, arguments_json: JSON.stringify(args) });
const writeAnswer = { action: 'write', reason: 'the answer', confidence: 0.9, criteria_met: ['A1'], edits: [{ op: 'write', path: 'answer.txt', content: '42\n', to: '', hunks: [] }] };

describe('a worker’s tool calls cannot leave the workspace (composition root, real filesystem server)', () => {
  let core: ReturnType<typeof testCore>;
  let root: ReturnType<typeof tempDir>;
  let outside: string;

  beforeAll(async () => {
    root = tempDir('aa-tool-attacks-');
    const repo = join(root.dir, 'repo');
    initRepo(repo, { 'answer.txt': '?\n', 'README.md': 'fixture\n' });
    outside = join(root.dir, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.txt'), 'not for agents\n');
    core = testCore({ scheduler: { autoStart: false } });
    // The server may touch all of root and the data folder; only the app keeps calls in the workspace.
    const server = filesystemServer('fs', root.dir);
    if (server.transport.kind === 'stdio') server.transport.args.push(core.dataDir);
    await core.tools.addServer(server, false, 'test');
    await core.tools.setPermission('fs', undefined, 'always', 'test');
    await core.tools.restartServer('fs');
  }, 30_000);

  afterAll(async () => {
    await core.tools.close();
    core.cleanup();
    root.cleanup();
  });

  it('refuses the 1001-path, nested, symlink, data-folder and out-of-scope attacks, and lets the in-scope write through', async () => {
    const task = core.tasks.submit(SubmitTaskInput.parse({ description: 'Write 42 into answer.txt.', repoPath: join(root.dir, 'repo'), mode: 'dry-run' }));
    setTaskSpec(core.db, task.id, serializeSpec(SPEC), Date.now());
    const manager = new WorkspaceManager({ root: join(core.dataDir, 'workspaces'), db: core.db, logger: silentLogger(), clock: core.clock });
    const ws = await manager.create({ taskId: task.id, source: join(root.dir, 'repo') });
    symlinkSync(outside, join(ws.dir, 'escape'));
    let nested: unknown = { path: join(outside, 'secret.txt') };
    for (let i = 0; i < 8; i++) nested = { more: nested };

    const attacks = [
      toolCall('fs.read_multiple_files', { paths: [...Array.from({ length: 1_000 }, () => 'README.md'), join(outside, 'secret.txt')] }),
      toolCall('fs.read_text_file', { path: 'README.md', extra: nested }),
      toolCall('fs.read_text_file', { path: 'escape/secret.txt' }),
      toolCall('fs.read_text_file', { path: join(core.dataDir, 'agent-agency.db') }),
      toolCall('fs.write_file', { path: 'README.md', content: 'pwned\n' }),
      toolCall('fs.write_file', { path: 'escape/planted.txt', content: 'pwned\n' }),
    ];
    const model = new ScriptedModel([...attacks, toolCall('fs.write_file', { path: 'answer.txt', content: '42\n' }), writeAnswer]);
    const loop = new AgentLoop({
      taskId: task.id,
      description: task.description,
      spec: { id: SPEC.id, title: SPEC.title, scope: SPEC.scope, acceptance: [{ ...SPEC.acceptance[0]!, test: 'test "$(cat answer.txt)" = 42' }] },
      riskTier: 2,
      workspace: ws,
      model,
      gates: new FnGateRunner((ctx) => [gate('tests', readFileSync(join(ctx.workspaceDir, 'answer.txt'), 'utf8').trim() === '42' ? 'pass' : 'fail')]),
      apply: { policy: { scope: SPEC.scope, allow: ['**'] }, budget: { maxFiles: 5, maxLines: 100 } },
      runCriterion: async (_cmd, { cwd }) => ({ passed: readFileSync(join(cwd, 'answer.txt'), 'utf8').trim() === '42', output: '' }),
      emit: () => undefined,
      tools: { service: core.tools },
      logger: silentLogger(),
      clock: core.clock,
      limits: { maxIterations: 10, noProgressIterations: 10, maxPatchFailures: 10, plateauIterations: 10 },
    });
    const result = await loop.run();

    const events = eventsForTask(core.db, task.id).filter((e): e is ToolEvent => e.type === 'tool.called' || e.type === 'tool.denied');
    const outcomes = events.map((e) => (e.type === 'tool.denied' ? `${e.payload.rule}: ${e.payload.reason}` : `called ${e.payload.tool} ${e.payload.isError ? 'error' : 'ok'}`));
    expect(outcomes.slice(0, 6)).toEqual([
      expect.stringMatching(/^invalid_arguments: the arguments name 1001 paths/),
      expect.stringMatching(/^path: extra(\.more){8}\.path: .* is outside the task workspace/),
      expect.stringMatching(/^path: path: escape\/secret\.txt is outside the task workspace/),
      expect.stringMatching(/^path: path: .*agent-agency\.db is (outside the task workspace|inside the app's data folder)/),
      expect.stringMatching(/^path: path: README\.md is outside the spec's scope/),
      expect.stringMatching(/^path: path: escape\/planted\.txt is outside the task workspace/),
    ]);
    // The in-scope write went through the same server.
    expect(outcomes[6]).toBe('called fs.write_file ok');
    expect(readFileSync(join(ws.dir, 'answer.txt'), 'utf8')).toBe('42\n');
    expect(readFileSync(join(ws.dir, 'README.md'), 'utf8')).toBe('fixture\n');
    expect(existsSync(join(outside, 'planted.txt'))).toBe(false);
    // Nothing the server could have returned from outside reached the model.
    expect(model.calls.map((m) => m.map((c) => c.content).join('\n')).join('\n')).not.toContain('not for agents');
    expect(result.history.slice(0, 6).map((h) => h.outcome)).toEqual(Array.from({ length: 6 }, () => 'tool_refused'));
  }, 60_000);
});
