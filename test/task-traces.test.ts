import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeGitFixture, type FixtureRepo } from '../e2e/fixtures/fixture-repo';
import { fixtureAnswers } from '../e2e/fixtures/scripted-answers';
import { ScriptedGateway } from '../e2e/fixtures/scripted-gateway';
import { createCore, type Core } from '../src/main/core/composition/app-core';
import { productionSteps } from '../src/main/core/composition/production-steps';
import { waitFor, waitForState } from '../src/main/core/engine/testing/wait';
import { silentLogger } from '../src/main/core/observability/logger';
import { AppSettingsPatch } from '../src/shared/channels/settings';
import { otlpTracesUrl } from '../src/main/core/tracing/config';
import { spanIdOf, traceIdOf } from '../src/main/core/observability/trace-id';
import { eventsForTask } from '../src/main/core/db/queries/events';
import { drawTree, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp/receiver';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The real core and production steps; only the models' words are scripted. */
function governedCore(tracing: NonNullable<Parameters<typeof createCore>[0]['tracing']>): { core: Core; repo: FixtureRepo } {
  const dataDir = mkdtempSync(join(tmpdir(), 'aa-traces-'));
  const repo = makeGitFixture();
  const core = createCore({
    dataDir,
    logger: silentLogger(),
    engine: { watchdogIntervalMs: 0 },
    slo: { evaluateEveryMs: 0 },
    tracing,
    steps: (c) => productionSteps(c, { models: new ScriptedGateway({ book: fixtureAnswers(), journal: c.journal, logger: c.logger, pieceDelayMs: 1 }) }),
  });
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }), () => repo.cleanup(), () => core.close());
  return { core, repo };
}

async function runTask(core: Core, repo: FixtureRepo): Promise<string> {
  const task = core.tasks.submit({ description: 'sum(2, 3) returns -1; make it add', repoPath: repo.dir, mode: 'dry-run', riskTier: 2, priority: 'normal', maxIterations: 3 });
  await waitForState(core.db, task.id, 'completed', 120_000);
  return task.id;
}

const named = (spans: ReceivedSpan[], prefix: string) => spans.filter((s) => s.name.startsWith(prefix));

describe('task traces over OTLP/HTTP', () => {
  it('exports a governed task as one trace: task, phases, iterations, model calls with GenAI attributes, judges, gates', async () => {
    const receiver = await startOtlpReceiver();
    cleanups.push(() => receiver.close());
    const { core, repo } = governedCore({ endpoint: receiver.url, env: {} });
    expect(core.tracing.enabled).toBe(true);
    const taskId = await runTask(core, repo);
    await core.tracing.flush();
    const root = await waitFor(() => receiver.spans.find((s) => s.name === `task ${taskId}`), 10_000, 'the root span');

    // Logs and traces join: the trace id is the one every log line of the task carries.
    expect(root.traceId).toBe(traceIdOf(taskId));
    expect(root.parentSpanId).toBeUndefined();
    expect(root.attributes['agent_agency.task.id']).toBe(taskId);
    expect(root.attributes['agent_agency.task.outcome']).toBe('completed');
    expect(root.resource['service.name']).toBe('agent-agency');
    expect(receiver.requests.every((r) => r.path === '/v1/traces' && r.contentType.startsWith('application/json'))).toBe(true);

    const spans = receiver.spans.filter((s) => s.traceId === root.traceId);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const parentOf = (s: ReceivedSpan) => (s.parentSpanId ? byId.get(s.parentSpanId) : undefined);
    // Every span but the root hangs off a span of this trace.
    for (const s of spans) if (s !== root) expect(parentOf(s), s.name).toBeDefined();

    const phases = named(spans, 'phase ');
    expect(phases.map((p) => p.name)).toEqual(expect.arrayContaining(['phase planning', 'phase reviewing_plan', 'phase executing', 'phase verifying', 'phase reviewing_change']));
    for (const p of phases) expect(parentOf(p)).toBe(root);
    // A phase's span id follows from its phase.started event, so the task page can name it.
    const starts = eventsForTask(core.db, taskId).filter((e) => e.type === 'phase.started');
    expect(phases.map((p) => p.spanId).sort()).toEqual(starts.map((e) => spanIdOf(taskId, `phase:${e.seq}`)).sort());

    const models = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat');
    expect(models.length).toBeGreaterThanOrEqual(1 + 4 + 1 + 4);
    for (const m of models) {
      expect(m.name).toBe('chat scripted-fixture-model');
      expect(m.attributes['gen_ai.request.model']).toBe('scripted-fixture-model');
      expect(m.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
      expect(m.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
      expect(m.attributes['gen_ai.server.time_to_first_token']).toBeGreaterThanOrEqual(0);
      expect(m.events.map((e) => e.name)).toContain('gen_ai.first_token');
    }
    const planner = models.find((m) => m.attributes['agent_agency.model.role'] === 'planner')!;
    expect(parentOf(planner)?.name).toBe('phase planning');
    const workerCall = models.find((m) => m.attributes['agent_agency.model.role'] === 'worker')!;
    expect(parentOf(workerCall)?.name).toMatch(/^iteration \d+$/);
    expect(parentOf(parentOf(workerCall)!)?.name).toBe('phase executing');

    const judges = named(spans, 'judge ');
    expect(judges).toHaveLength(8);
    for (const j of judges) expect(['phase reviewing_plan', 'phase reviewing_change']).toContain(parentOf(j)?.name);
    expect(judges.map((j) => j.attributes['agent_agency.judge.verdict'])).toEqual(Array(8).fill('pass'));
    const judgeCall = models.find((m) => m.attributes['agent_agency.model.role'] === 'judge.technical')!;
    expect(parentOf(judgeCall)?.name).toBe('phase reviewing_plan');

    const gates = named(spans, 'gate ');
    expect(gates.map((g) => g.name)).toEqual(expect.arrayContaining(['gate spec_completeness', 'gate scope', 'gate budget', 'gate tests']));
    expect(gates.find((g) => g.name === 'gate tests')!.attributes['agent_agency.gate.status']).toBe('pass');
    for (const g of gates) expect(parentOf(g)?.name).toBe('phase verifying');
    // The project's own test command ran in the sandbox: a span with its command line and exit code.
    const sandboxed = named(spans, 'sandbox ');
    const testRun = sandboxed.find((s) => String(s.attributes['process.command_line']).includes('--test') && parentOf(s)?.name === 'phase verifying');
    expect(testRun?.attributes['process.exit.code']).toBe(0);
    expect(testRun?.attributes['agent_agency.sandbox']).not.toBe('none');

    console.log(`trace ${root.traceId} of task ${taskId}:\n${drawTree(spans)}`);
  });

  it('sends nothing when no collector is configured, not even to the SDK default localhost:4318', async () => {
    let receiver: OtlpReceiver | undefined;
    try {
      receiver = await startOtlpReceiver(4318);
      cleanups.push(() => receiver!.close());
    } catch {
      // Another process holds 4318; the checks below still show tracing is off.
    }
    const { core, repo } = governedCore({ env: { PATH: process.env['PATH'] } });
    expect(core.tracing.enabled).toBe(false);
    expect(core.tracing.url).toBeNull();
    await runTask(core, repo);
    await core.tracing.flush();
    await new Promise((r) => setTimeout(r, 300));
    if (receiver) expect(receiver.requests).toEqual([]);
  });

  it('derives ids the task page derives too (src/renderer/src/features/tasks/trace-ids.test.ts checks the same values)', () => {
    expect(traceIdOf('tsk_a')).toBe('1cea07c5e8650b343b0fff1900b02f9a');
    expect(spanIdOf('tsk_a', 'phase:7')).toBe('f65833f7c534ff0c');
    expect(spanIdOf('tsk_a', 'phase:12')).toBe('ffee7847b5849fd6');
  });

  it('refuses a collector setting that is not an http(s) URL, naming the field', () => {
    expect(AppSettingsPatch.safeParse({ otlpEndpoint: 'http://127.0.0.1:4318' }).success).toBe(true);
    expect(AppSettingsPatch.safeParse({ otlpEndpoint: '' }).success).toBe(true);
    for (const bad of ['ftp://collector:21', 'collector:4318', 'x'.repeat(3000)]) {
      const r = AppSettingsPatch.safeParse({ otlpEndpoint: bad });
      expect(r.success).toBe(false);
      expect(r.error?.issues.every((i) => i.path[0] === 'otlpEndpoint')).toBe(true);
    }
  });

  it('finds the collector in Settings first, then the standard OTEL variables', () => {
    expect(otlpTracesUrl(undefined, {})).toBeNull();
    expect(otlpTracesUrl('', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe('http://c:4318/v1/traces');
    expect(otlpTracesUrl(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:9/x' })).toBe('http://t:9/x');
    expect(otlpTracesUrl('http://s:4318', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:9/x' })).toBe('http://s:4318/v1/traces');
    expect(otlpTracesUrl('http://s:4318/v1/traces', {})).toBe('http://s:4318/v1/traces');
  });
});
