import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGitFixture, type FixtureRepo } from '../e2e/fixtures/fixture-repo';
import { fixtureAnswers } from '../e2e/fixtures/scripted-answers';
import { ScriptedGateway } from '../e2e/fixtures/scripted-gateway';
import { createCore, type Core } from '../src/main/core/composition/app-core';
import { productionSteps } from '../src/main/core/composition/production-steps';
import { eventsForTask } from '../src/main/core/db/queries/events';
import { spansOfTrace } from '../src/main/core/db/queries/task-spans';
import { waitForState } from '../src/main/core/engine/testing/wait';
import { silentLogger } from '../src/main/core/observability/logger';
import { spanIdOf, traceIdOf } from '../src/main/core/observability/trace-id';
import type { Bundle } from '../src/main/core/provenance/bundle-schema';
import { verifyBundle } from '../src/main/core/provenance/bundle-verify';
import { AppFailure } from '../src/shared/errors';
import { testCore } from './helpers';

/*
 * A task's trace kept in the data folder and carried by its audit bundle: a governed dry-run through
 * the real engine and production steps (scripted model words only), with no collector configured.
 */
let core: Core;
let repo: FixtureRepo;
let dataDir: string;
let taskId: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'aa-trace-bundle-'));
  repo = makeGitFixture();
  core = createCore({
    dataDir,
    logger: silentLogger(),
    engine: { watchdogIntervalMs: 0 },
    slo: { evaluateEveryMs: 0 },
    tracing: { env: {} },
    steps: (c) => productionSteps(c, { models: new ScriptedGateway({ book: fixtureAnswers(), journal: c.journal, logger: c.logger, pieceDelayMs: 1 }) }),
  });
  const task = core.tasks.submit({ description: 'sum(2, 3) returns -1; make it add', repoPath: repo.dir, mode: 'dry-run', riskTier: 2, priority: 'normal', maxIterations: 3 });
  taskId = task.id;
  await waitForState(core.db, taskId, 'completed', 120_000);
}, 180_000);

afterAll(() => {
  core?.close();
  repo?.cleanup();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const clone = (b: Bundle): Bundle => JSON.parse(JSON.stringify(b)) as Bundle;

describe('a task trace in the audit bundle', () => {
  it('keeps the finished spans locally though nothing is sent, one tree under the task root', () => {
    expect(core.tracing.enabled).toBe(false); // no collector: nothing leaves the machine
    expect(core.tracing.recording).toBe(true);
    const spans = spansOfTrace(core.db, traceIdOf(taskId));
    const root = spans.find((s) => s.parentSpanId === null)!;
    expect(root).toMatchObject({ name: `task ${taskId}`, traceId: traceIdOf(taskId), status: { code: 1 } });
    expect(root.attributes['agent_agency.task.outcome']).toBe('completed');
    const ids = new Set(spans.map((s) => s.spanId));
    for (const s of spans) if (s !== root) expect(ids.has(s.parentSpanId!), s.name).toBe(true);
    // The phases carry the span ids the task page derives from the journal, so its links find them.
    const starts = eventsForTask(core.db, taskId).filter((e) => e.type === 'phase.started');
    const phases = spans.filter((s) => s.name.startsWith('phase '));
    expect(phases.map((p) => p.spanId).sort()).toEqual(starts.map((e) => spanIdOf(taskId, `phase:${e.seq}`)).sort());
    expect(spans.some((s) => s.attributes['gen_ai.operation.name'] === 'chat' && Number(s.attributes['gen_ai.usage.output_tokens']) > 0)).toBe(true);
    expect(spans.some((s) => s.name === 'gate tests')).toBe(true);
  });

  it('exports the trace only when asked, hashed in the manifest, and verifies it as one well-formed trace', async () => {
    const plain = (await core.provenance.exportBundle(taskId)).bundle;
    expect(plain.content.trace).toBeUndefined();
    expect(plain.manifest.entries.some((e) => e.path.startsWith('trace/'))).toBe(false);

    const { bundle, text } = await core.provenance.exportBundle(taskId, { includeTrace: true });
    const spans = spansOfTrace(core.db, traceIdOf(taskId));
    expect(bundle.content.trace).toEqual(spans);
    expect(bundle.manifest.entries.filter((e) => e.path.startsWith('trace/'))).toHaveLength(spans.length);
    const report = await verifyBundle(text);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.warnings.filter((w) => w.includes('trace'))).toEqual([]);
  });

  it('names a span that was altered, moved to another trace, made to end before it starts, or a root that was removed', async () => {
    const { bundle } = await core.provenance.exportBundle(taskId, { includeTrace: true });
    const trace = bundle.content.trace!;
    const rootIndex = trace.findIndex((s) => s.parentSpanId === null);
    const other = rootIndex === 0 ? 1 : 0;

    const renamed = clone(bundle);
    renamed.content.trace![other]!.name = 'phase nothing-to-see';
    const r1 = await verifyBundle(renamed);
    expect(r1.problems).toContainEqual(expect.objectContaining({ kind: 'altered', element: `trace[${other}]` }));

    const foreign = clone(bundle);
    foreign.content.trace![other]!.traceId = traceIdOf('tsk_someoneelse00');
    const r2 = await verifyBundle(foreign);
    expect(r2.problems).toContainEqual(expect.objectContaining({ kind: 'malformed', element: `trace[${other}]`, message: expect.stringContaining('belongs to trace') }));

    const backwards = clone(bundle);
    const s = backwards.content.trace![other]!;
    s.endTimeUnixNano = (BigInt(s.startTimeUnixNano) - 1n).toString();
    expect((await verifyBundle(backwards)).problems).toContainEqual(expect.objectContaining({ kind: 'malformed', message: expect.stringContaining('ends before it starts') }));

    const rootless = clone(bundle);
    rootless.content.trace!.splice(rootIndex, 1);
    const r4 = await verifyBundle(rootless);
    expect(r4.problems).toContainEqual(expect.objectContaining({ kind: 'malformed', element: 'trace', message: expect.stringContaining('no root span') }));
    expect(r4.problems.some((p) => p.kind === 'removed')).toBe(true);

    const garbled = clone(bundle) as unknown as { content: { trace: Array<Record<string, unknown>> } };
    garbled.content.trace[0]!['spanId'] = 'not-hex';
    const r5 = await verifyBundle(garbled);
    expect(r5.ok).toBe(false);
    expect(r5.problems).toContainEqual(expect.objectContaining({ kind: 'malformed', element: 'content.trace[0].spanId' }));
  });

  it('refuses to include a trace that is not kept, naming includeTrace', async () => {
    const bare = testCore({ slo: { evaluateEveryMs: 0 }, scheduler: { autoStart: false } });
    try {
      const t = bare.tasks.submit({ description: 'never ran', repoPath: bare.repo, mode: 'dry-run', riskTier: 2, priority: 'normal', maxIterations: 1 });
      const e = await bare.provenance.exportBundle(t.id, { includeTrace: true }).then(
        () => null,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(AppFailure);
      expect((e as AppFailure).code).toBe('conflict');
      expect((e as AppFailure).message).toMatch(/^includeTrace: no trace is kept/);
    } finally {
      bare.cleanup();
    }
  });
});
