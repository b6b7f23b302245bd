import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Task } from '../../../shared/domain/task';
import { ChangeApplier } from '../apply/apply-change';
import { insertTask } from '../db/queries/tasks';
import { openDatabase, type Db } from '../db/open';
import { silentLogger } from '../observability/logger';
import { RetrievalService } from '../retrieval/service';
import { WorkspaceManager } from '../workspace/manager';
import { initRepo } from '../workspace/testing/git-fixture';
import type { LoopSpec } from './loop';
import { FnGateRunner, gate } from './testing/gates';
import { ScriptedModel } from './testing/scripted-model';
import { createWorkerSteps, type WorkerStepContext } from './worker-steps';

const TASK = 'tsk_0000000000wr';
const clock = { now: () => 1_800_000_000_000 };
const SPEC: LoopSpec = { id: 'FIX-0001', title: 'Apply discounts', scope: { in: ['src/'] }, acceptance: [{ id: 'A1', given: 'g', when: 'w', then: 'discounts apply' }] };
const TARGET = 'src/zz-billing.js';
const WRITE = { action: 'write', reason: 'discount', confidence: 0.9, criteria_met: ['A1'], edits: [{ op: 'write', path: TARGET, content: 'export function computeInvoiceTotal() { return 0; }\n', to: '', hunks: [] }] };

/** Twelve files in scope, more than the worker is shown; the one the task needs sorts last. */
const FILES: Record<string, string> = {
  [TARGET]: 'export function computeInvoiceTotal(lines, discount) {\n  return lines.reduce((s, l) => s + l, 0);\n}\n',
  ...Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`src/a${String(i).padStart(2, '0')}.js`, `export const widget${i} = ${i};\n`])),
};

describe('worker steps with the retrieval service', () => {
  let base: string;
  let db: Db;
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'aa-worker-retrieval-'));
    initRepo(join(base, 'repo'), FILES);
    db = openDatabase({ file: ':memory:', logger: silentLogger() });
  });
  afterEach(() => {
    db.close();
    rmSync(base, { recursive: true, force: true });
  });

  async function firstPrompt(withRetrieval: boolean): Promise<string> {
    const model = new ScriptedModel([WRITE]);
    const steps = createWorkerSteps({
      workspaces: new WorkspaceManager({ root: join(base, 'workspaces'), db, logger: silentLogger(), clock }),
      db,
      clock,
      model,
      specOf: () => SPEC,
      gatesFor: () => new FnGateRunner(() => [gate('tests', 'pass')]),
      budgetFor: () => ({ maxFiles: 10, maxLines: 100 }),
      applier: new ChangeApplier({ logger: silentLogger(), sign: async () => 'header.payload.signature' }),
      verdictOf: () => 'accept (score 0.91)',
      ...(withRetrieval ? { retrieval: new RetrievalService({ dataDir: join(base, 'data'), logger: silentLogger() }) } : {}),
    });
    const task: Task = {
      id: TASK,
      description: 'computeInvoiceTotal ignores the discount',
      repoPath: join(base, 'repo'),
      mode: 'dry-run',
      riskTier: 2,
      priority: 'normal',
      maxIterations: 1,
      state: { kind: 'executing' },
      progress: 0,
      createdAt: 0,
      updatedAt: 0,
      spec: 'id: FIX-0001',
    };
    insertTask(db, task);
    const controller = new AbortController();
    const ctx = {
      taskId: TASK,
      task,
      mode: 'dry-run',
      round: 1,
      attempt: 1,
      signal: controller.signal,
      guidance: [],
      takeGuidance: () => [],
      approvals: [],
      writeGuard: (p: string) => p,
      journalEffect: async (spec: { key: string }, perform: (x: unknown) => unknown) => perform({ key: spec.key, interrupted: false, signal: controller.signal }),
      emit: (event: unknown) => ({ ...(event as object), seq: 1, taskId: TASK, taskSeq: 1, ts: 0 }) as never,
      progress: () => undefined,
      logger: silentLogger(),
    } as unknown as WorkerStepContext;
    await steps.execute(ctx);
    return model.calls[0]!.map((m) => m.content).join('\n');
  }

  it('reads the files the retrieval service ranks first, so the one the task needs reaches the prompt', async () => {
    const prompt = await firstPrompt(true);
    expect(prompt).toContain('export function computeInvoiceTotal(lines, discount)');
  });

  it('without it the worker reads its scope in path order and never sees that file', async () => {
    const prompt = await firstPrompt(false);
    expect(prompt).not.toContain('export function computeInvoiceTotal(lines, discount)');
    expect(prompt).toContain('export const widget0 = 0;');
  });
});
