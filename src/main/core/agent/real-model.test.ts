import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_PAYLOADS, type NewEvent } from '../../../shared/domain/events';
import { openDatabase, type Db } from '../db/open';
import { systemClock } from '../journal/journal';
import { LlamaLoadedModel } from '../models/providers/llama-model';
import { LlamaRuntime } from '../models/providers/llama-runtime';
import { ensureTestModel } from '../models/testing/test-model';
import type { ChatMessage, GenerateOptions, JsonSchema, ModelClient } from '../models/types';
import { silentLogger } from '../observability/logger';
import { WorkspaceManager } from '../workspace/manager';
import { initRepo } from '../workspace/testing/git-fixture';
import { snapshotTree } from '../workspace/testing/tree-fixture';
import { AgentLoop, STOP_REASONS } from './loop';
import { CommandGateRunner } from './testing/gates';

/**
 * The worker loop on the real node-llama-cpp path, with the project's tiny random-weight model: it
 * says nonsense (within the JSON grammar, or cut off at the token limit), and the loop must still end
 * with a proper stop reason, never crash, and never let a proposal escape the workspace.
 * Bounded: a 1024-token context, short answers, three iterations.
 */
const TASK = 'tsk_0000000000rm';
const runtime = new LlamaRuntime({ logger: silentLogger(), threads: 1, gpu: false });
let model: LlamaLoadedModel;

beforeAll(async () => {
  const path = await ensureTestModel();
  model = await LlamaLoadedModel.load({ runtime, clock: systemClock, name: 'tiny', path, contextSize: 1024, memoryBytes: 1 });
}, 120_000);

afterAll(async () => {
  await model?.dispose();
  await runtime.dispose();
});

/** Counts what the model answered, to show the real path was taken. */
class Recording implements ModelClient {
  calls = 0;
  outcomes: string[] = [];
  constructor(private readonly inner: ModelClient) {}
  async generateJson(messages: ChatMessage[], schema: JsonSchema, options?: GenerateOptions) {
    this.calls++;
    try {
      const r = await this.inner.generateJson(messages, schema, options);
      this.outcomes.push('json');
      return r;
    } catch (e) {
      this.outcomes.push(`error: ${e instanceof Error ? e.message.slice(0, 80) : String(e)}`);
      throw e;
    }
  }
  complete(prompt: string, options?: GenerateOptions) {
    return this.inner.complete(prompt, options);
  }
  chat(messages: ChatMessage[], options?: GenerateOptions) {
    return this.inner.chat(messages, options);
  }
  embed(texts: string[], options?: { signal?: AbortSignal }) {
    return this.inner.embed(texts, options);
  }
  countTokens(text: string) {
    return this.inner.countTokens(text);
  }
}

describe('worker loop on the real node-llama-cpp path (test model)', () => {
  let base: string;
  let db: Db;

  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'aa-real-'));
    db = openDatabase({ file: ':memory:', logger: silentLogger() });
  });
  afterAll(() => {
    db.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('ends with a proper stop reason whatever the model says, and nothing leaves the workspace', async () => {
    const repo = join(base, 'repo');
    initRepo(repo, { 'value.txt': '0.1\n', 'src/a.js': 'export const a = 1;\n' });
    const repoBefore = snapshotTree(repo);
    const manager = new WorkspaceManager({ root: join(base, 'workspaces'), db, logger: silentLogger(), clock: systemClock });
    const ws = await manager.create({ taskId: TASK, source: repo });
    const events: NewEvent[] = [];
    const recording = new Recording(model);
    const node = JSON.stringify(process.execPath);

    const loop = new AgentLoop({
      taskId: TASK,
      description: 'Set value.txt to 1.',
      spec: {
        id: 'FIX-0007',
        title: 'Set the value',
        scope: { in: ['value.txt'] },
        acceptance: [{ id: 'A1', given: 'value.txt', when: 'read', then: 'it holds 1', test: `${node} -e "process.exit(require('fs').readFileSync('value.txt','utf8').trim()==='1'?0:1)"` }],
      },
      riskTier: 2,
      workspace: ws,
      model: recording,
      gates: new CommandGateRunner(`${node} -e "process.exit(0)"`),
      apply: { policy: { scope: { in: ['value.txt'] }, allow: ['**'] }, budget: { maxFiles: 2, maxLines: 20 } },
      emit: (event) => {
        events.push(event);
      },
      logger: silentLogger(),
      clock: systemClock,
      limits: { maxIterations: 3, maxInvalidRetries: 1, maxPatchFailures: 3, noProgressIterations: 2 },
      generation: { maxTokens: 160, temperature: 0.8 },
      promptBudgetTokens: 1024 - 160 - 120,
    });
    const result = await loop.run();

    expect(STOP_REASONS).toContain(result.stopReason);
    expect(result.detail.length).toBeGreaterThan(0);
    expect(recording.calls).toBeGreaterThan(0);
    // Every event is valid for the journal, and the last one carries the stop reason.
    for (const e of events) expect(() => EVENT_PAYLOADS[e.type].parse(e.payload)).not.toThrow();
    expect(events.at(-1)).toMatchObject({ type: 'iteration.evaluated', payload: { stopReason: result.stopReason } });
    // Whatever it proposed stayed inside the scope: only value.txt may differ from the base.
    expect(result.changes.every((c) => c.path === 'value.txt')).toBe(true);
    expect(readFileSync(join(ws.dir, 'src/a.js'), 'utf8')).toBe('export const a = 1;\n');
    expect(snapshotTree(repo)).toEqual(repoBefore);
    await manager.remove(TASK);
  }, 180_000);

  it('stops promptly on cancel during real generation', async () => {
    const repo = join(base, 'repo2');
    initRepo(repo, { 'value.txt': '0.1\n' });
    const manager = new WorkspaceManager({ root: join(base, 'workspaces2'), db, logger: silentLogger(), clock: systemClock });
    const ws = await manager.create({ taskId: 'tsk_0000000000rn', source: repo });
    const controller = new AbortController();
    const loop = new AgentLoop({
      taskId: 'tsk_0000000000rn',
      description: 'Set value.txt to 1.',
      spec: { id: 'FIX-0008', title: 'Set the value', scope: { in: ['value.txt'] }, acceptance: [{ id: 'A1', given: 'g', when: 'w', then: 't' }] },
      riskTier: 2,
      workspace: ws,
      model,
      gates: new CommandGateRunner(`${JSON.stringify(process.execPath)} -e "process.exit(0)"`),
      apply: { policy: { scope: { in: ['value.txt'] }, allow: ['**'] } },
      emit: (event) => {
        if (event.type === 'iteration.started') setTimeout(() => controller.abort(), 50);
      },
      signal: controller.signal,
      logger: silentLogger(),
      clock: systemClock,
      limits: { maxIterations: 3 },
      generation: { maxTokens: 160 },
      promptBudgetTokens: 1024 - 160 - 120,
    });
    const started = Date.now();
    const result = await loop.run();
    expect(result.stopReason).toBe('intervention');
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(readFileSync(join(ws.dir, 'value.txt'), 'utf8')).toBe('0.1\n');
    await manager.remove('tsk_0000000000rn');
  }, 120_000);
});
