import type { CheckCommands, GateModeValue, GateName, Policy, Waiver } from '../../../shared/domain/governance';
import type { WorkingSpec } from '../../../shared/domain/working-spec';
import { widen } from '../caws/budget';
import type { Logger } from '../observability/logger';
import { detectChecks, type CheckKind, type DetectedCheck } from './detect';
import { findCoverage, parseTestCounts } from './output-parsers';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxService } from '../sandbox/sandbox-service';
import { isNodeProject, isPythonProject, measurePythonCoverage, V8_COVERAGE_DIR, v8LineCoverage } from './measure-coverage';
import type { Coverage } from './output-parsers';
import { runCommand, type CommandResult } from './run-command';
import { budgetOutcome, scopeOutcome, specCompletenessOutcome, type RawOutcome } from './spec-gates';
import type { GateContext, GateResult, GateRunner } from './types';

/** What the runner needs of the waiver service: which waivers apply, and spending one. */
export interface WaiverPort {
  activeFor(gate: GateName, specId: string | null): Waiver[];
  recordUse(use: { waiverId: string; taskId: string; gate: GateName; detail: string }): { duplicate: boolean };
}

export type GovernanceGateRunnerOptions = {
  spec: WorkingSpec;
  policy: Policy;
  logger: Logger;
  waivers?: WaiverPort;
  /** Commands that replace the detected ones (from the policy's per-repository settings). */
  commands?: CheckCommands;
  /** Which gates to run; all by default. */
  gates?: readonly GateName[];
  /** Called with each result as soon as it is known, for live progress. */
  onResult?: (result: GateResult) => void;
  /** The sandbox the project's commands run in (default: this machine's real one, never none). */
  sandbox?: SandboxService;
  /** The app's data folder, hidden from the commands. */
  dataDir?: string;
  /** Network for the commands: only when the task or a standing grant allows it. */
  network?: boolean;
};

type TestRun = { result: CommandResult; startedAt: number; measured?: Coverage };

/**
 * Floors no policy can lower: at tiers 1–2 the tests gate always blocks (so a missing test command
 * blocks too), and at tier 1 so does coverage.
 */
export function flooredMode(gate: GateName, tier: 1 | 2 | 3, mode: GateModeValue): GateModeValue {
  if (gate === 'tests' && tier <= 2) return 'block';
  if (gate === 'coverage' && tier === 1) return 'block';
  return mode;
}

export const GATE_ORDER: readonly GateName[] = ['spec_completeness', 'scope', 'budget', 'tests', 'coverage', 'typecheck', 'lint'];

/**
 * The quality gates of one task's change. Spec, scope and budget are decided from the spec and the
 * change; tests, type check and lint are the project's own commands run in the task's workspace.
 * Each gate's mode (block/warn/skip) comes from the tier's policy; an active waiver may widen the
 * budget or let a blocking gate pass, and each such use is recorded.
 */
export class GovernanceGateRunner implements GateRunner {
  constructor(private readonly options: GovernanceGateRunnerOptions) {}

  async run(context: GateContext): Promise<GateResult[]> {
    const { spec, policy } = this.options;
    const wanted = new Set(this.options.gates ?? GATE_ORDER);
    const modes = policy.gateModes[context.riskTier];
    const checks = detectChecks(context.workspaceDir, this.options.commands);
    const results: GateResult[] = [];
    let testRun: TestRun | undefined;

    for (const gate of GATE_ORDER) {
      if (!wanted.has(gate)) continue;
      throwIfAborted(context.signal);
      const mode = flooredMode(gate, context.riskTier, modes[gate]);
      const started = performance.now();
      let result: GateResult;
      if (mode === 'skip') {
        result = { gate, status: 'skip', mode, score: 0, details: `skipped: the tier ${context.riskTier} policy sets this gate to skip`, durationMs: 0 };
      } else {
        let raw: RawOutcome;
        let waiverId: string | undefined;
        switch (gate) {
          case 'spec_completeness':
            raw = specCompletenessOutcome(spec);
            break;
          case 'scope':
            raw = scopeOutcome(context.changedFiles, spec);
            break;
          case 'budget': {
            const budget = this.budgetGate(context, mode);
            raw = budget.raw;
            waiverId = budget.waiverId;
            break;
          }
          case 'tests': {
            const check = checks.tests;
            if (!check) {
              raw =
                context.riskTier <= 2
                  ? { outcome: 'fail', score: 0, details: `no test command found; risk tier ${context.riskTier} requires tests (configure one in Settings, or lower the tier)` }
                  : { outcome: 'skip', score: 0, details: 'no test command found in the project (package.json, Makefile, Cargo.toml, pyproject.toml, go.mod)' };
              break;
            }
            const startedAt = Date.now();
            // At tier 1 a Node project's own test run also leaves raw V8 coverage, in case it reports none.
            const v8Dir = context.riskTier === 1 && isNodeProject(context.workspaceDir) ? join(context.workspaceDir, V8_COVERAGE_DIR) : undefined;
            const run = await this.runCheck(check, context, v8Dir ? { NODE_V8_COVERAGE: v8Dir } : undefined);
            testRun = { result: run, startedAt };
            if (v8Dir) {
              const measured = v8LineCoverage(v8Dir, context.workspaceDir);
              if (measured) testRun.measured = measured;
              rmSync(v8Dir, { recursive: true, force: true });
            }
            raw = testsOutcome(check, run);
            break;
          }
          case 'coverage':
            raw = await this.coverageGate(testRun, context, policy.coverage[context.riskTier]);
            break;
          case 'typecheck':
          case 'lint': {
            const check = checks[gate];
            if (!check) {
              raw = { outcome: 'skip', score: 0, details: `no ${gate === 'lint' ? 'lint' : 'type check'} command found in the project` };
              break;
            }
            raw = commandOutcome(gate, check, await this.runCheck(check, context));
            break;
          }
        }
        result = { gate, mode, status: statusFor(raw.outcome, mode), score: raw.score, details: raw.details, durationMs: performance.now() - started };
        if (waiverId) result.waiverId = waiverId;
        if (result.status === 'fail' && gate !== 'budget') result = this.applyWaiver(result, context);
      }
      results.push(result);
      this.options.onResult?.(result);
    }
    return results;
  }

  private budgetGate(context: GateContext, mode: GateModeValue): { raw: RawOutcome; waiverId?: string } {
    const base = this.options.policy.budgets[context.riskTier];
    const first = budgetOutcome(context.changedFiles, base);
    const waivers = this.options.waivers;
    if (first.outcome === 'pass' || mode !== 'block' || !waivers) return { raw: first };
    const active = waivers.activeFor('budget', this.options.spec.id);
    // Widen with budget deltas first (oldest waiver first); a waiver without a delta lets the gate pass outright.
    let budget = base;
    const used: Waiver[] = [];
    for (const w of active.filter((x) => x.budgetDelta)) {
      budget = widen(budget, w.budgetDelta!);
      used.push(w);
      const widened = budgetOutcome(context.changedFiles, budget);
      if (widened.outcome === 'pass' && this.spend(used, context, 'budget', `${first.details}; widened to ${budget.maxFiles} files / ${budget.maxLines} lines`)) {
        return {
          raw: { ...widened, details: `${widened.details} (tier budget ${base.maxFiles} files / ${base.maxLines} lines widened by ${used.map((u) => u.id).join(', ')})` },
          waiverId: used.at(-1)!.id,
        };
      }
    }
    for (const w of active.filter((x) => !x.budgetDelta)) {
      if (this.spend([w], context, 'budget', first.details)) {
        return { raw: { outcome: 'pass', score: first.score, details: `waived by ${w.id} (${w.title}): ${first.details}` }, waiverId: w.id };
      }
    }
    return { raw: first };
  }

  private async coverageGate(testRun: TestRun | undefined, context: GateContext, threshold: number): Promise<RawOutcome> {
    const required = context.riskTier === 1;
    if (!testRun) {
      return required ? { outcome: 'fail', score: 0, details: 'no test run, so coverage cannot be measured; risk tier 1 requires it' } : { outcome: 'skip', score: 0, details: 'no test run, so no coverage to check' };
    }
    let coverage = findCoverage(testRun.result.output, context.workspaceDir, testRun.startedAt) ?? testRun.measured;
    let why = isNodeProject(context.workspaceDir) ? 'Node wrote no V8 coverage for the project\'s files' : 'no way to measure coverage for this kind of project';
    if (!coverage && required && isPythonProject(context.workspaceDir)) {
      const py = await measurePythonCoverage(this.commandOptions(context));
      if ('lines' in py) coverage = py;
      else why = py.unavailable;
    }
    if (!coverage) {
      return required
        ? { outcome: 'fail', score: 0, details: `the project reports no coverage and the app could not measure it (${why}); risk tier 1 requires coverage` }
        : { outcome: 'skip', score: 0, details: 'the project reports no coverage' };
    }
    return coverageOutcome(coverage, context, threshold);
  }

  private applyWaiver(result: GateResult, context: GateContext): GateResult {
    const gate = result.gate as GateName;
    // At tier 1 nothing turns failing tests into a pass.
    if (gate === 'tests' && context.riskTier === 1) return { ...result, details: `${result.details}\n(no waiver applies: at risk tier 1 failing tests cannot be waived)` };
    for (const w of this.options.waivers?.activeFor(gate, this.options.spec.id) ?? []) {
      if (this.spend([w], context, gate, result.details.slice(0, 500))) {
        return { ...result, status: 'pass', waiverId: w.id, details: `waived by ${w.id} (${w.title}): ${result.details}` };
      }
    }
    return result;
  }

  /** Records a use of each waiver; false when one can no longer be used (revoked or spent meanwhile). */
  private spend(waivers: readonly Waiver[], context: GateContext, gate: GateName, detail: string): boolean {
    try {
      for (const w of waivers) this.options.waivers!.recordUse({ waiverId: w.id, taskId: context.taskId, gate, detail });
      return true;
    } catch (e) {
      this.options.logger.warn({ err: e, taskId: context.taskId }, 'waiver could not be used');
      return false;
    }
  }

  private commandOptions(context: GateContext) {
    const o = this.options;
    return {
      cwd: context.workspaceDir,
      workspaceDir: context.workspaceDir,
      taskId: context.taskId,
      timeoutMs: o.policy.checkTimeoutMs,
      ...(context.signal ? { signal: context.signal } : {}),
      ...(o.sandbox ? { sandbox: o.sandbox } : {}),
      ...(o.dataDir ? { dataDir: o.dataDir } : {}),
      network: o.network ?? false,
    };
  }

  private runCheck(check: DetectedCheck, context: GateContext, env?: Record<string, string>): Promise<CommandResult> {
    return runCommand({ ...this.commandOptions(context), command: check.command, ...(env ? { env } : {}) }).then((r) => {
      throwIfAborted(context.signal);
      return r;
    });
  }
}

function statusFor(outcome: RawOutcome['outcome'], mode: GateModeValue): GateResult['status'] {
  if (outcome === 'skip') return 'skip';
  if (outcome === 'pass') return 'pass';
  return mode === 'warn' ? 'warn' : 'fail';
}

function testsOutcome(check: DetectedCheck, run: CommandResult): RawOutcome {
  const counts = parseTestCounts(run.output);
  const total = counts ? counts.passed + counts.failed : 0;
  const share = counts && total > 0 ? counts.passed / total : undefined;
  const summary = counts ? `${counts.passed} passed, ${counts.failed} failed` : '';
  const base = commandOutcome('tests', check, run);
  if (base.outcome === 'pass') return { outcome: 'pass', score: share ?? 1, details: `${base.details}${summary ? ` (${summary})` : ''}` };
  return { ...base, score: share ?? 0, details: `${base.details}${summary ? ` (${summary})` : ''}` };
}

function commandOutcome(kind: CheckKind, check: DetectedCheck, run: CommandResult): RawOutcome {
  const label = `${check.command} [${check.source}]`;
  if (run.spawnError) return { outcome: 'fail', score: 0, details: `${label} could not start: ${run.spawnError}` };
  if (run.timedOut) return { outcome: 'fail', score: 0, details: `${label} timed out after ${Math.round(run.durationMs / 1000)}s; its processes were stopped\n${tail(run.output)}` };
  if (run.exitCode === 0) return { outcome: 'pass', score: 1, details: `${label} passed` };
  const how = run.exitCode === null ? `was killed by ${run.signal ?? 'a signal'}` : `exited with ${run.exitCode}`;
  const hint = run.exitCode === 127 ? ' (command not found: is the tool installed?)' : '';
  return { outcome: 'fail', score: 0, details: `${label} ${how}${hint} (${kind} failed)\n${tail(run.output)}` };
}

function coverageOutcome(coverage: Coverage, context: GateContext, threshold: number): RawOutcome {
  const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
  const ok = coverage.lines >= threshold;
  return {
    outcome: ok ? 'pass' : 'fail',
    score: coverage.lines,
    details: `line coverage ${pct(coverage.lines)} ${ok ? '≥' : '<'} ${pct(threshold)} required at tier ${context.riskTier} (${coverage.source})`,
  };
}

function tail(output: string, max = 4000): string {
  const t = output.trim();
  return t.length > max ? `…${t.slice(-max)}` : t;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new DOMException('gate run aborted', 'AbortError');
}
