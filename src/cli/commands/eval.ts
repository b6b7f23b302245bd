import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { Command } from 'commander';
import type { EvalTaskResult, EvalTotals } from '../../shared/domain/eval';
import { sandboxRunner } from '../../main/core/eval/grader';
import { renderReport } from '../../main/core/eval/report-html';
import { bundledSuiteDir, requireSelfTest, runEval, SelfTestFailed, type EvalProgress } from '../../main/core/eval/service';
import { loadSuite, SuiteError, type Suite } from '../../main/core/eval/suite';
import { createLogger } from '../../main/core/observability/logger';
import { SandboxService } from '../../main/core/sandbox';
import { action, withCommonOptions, type CommandContext, type CommonOptions } from '../context';
import { EXIT, type ExitCode } from '../exit-codes';
import { openEvalCore } from '../eval/open';

type EvalOptions = CommonOptions & {
  suite?: string;
  tasks?: string;
  mode: string;
  repeat: string;
  report?: string;
  selfTest?: boolean;
  maxIterations: string;
  taskTimeout: string;
  workDir?: string;
};

export function evalCommand(): Command {
  const cmd = new Command('eval')
    .description('measure the agent on coding tasks with hidden tests, through the full governed pipeline with the assigned models')
    .option('-s, --suite <dir>', 'suite folder (docs/eval.md; default: the bundled suite-basic)')
    .option('--tasks <ids>', 'comma-separated task ids of the suite (default: all)')
    .option('-m, --mode <mode>', 'execution mode of each task: dry-run | auto (auto applies to a throwaway copy)', 'dry-run')
    .option('--repeat <n>', 'attempts per task (1-20)', '1')
    .option('--report <file>', 'also write an HTML report with charts')
    .option('--self-test', "only prove the grader: each reference solution grades resolved, each unchanged repository unresolved")
    .option('-n, --max-iterations <n>', 'most worker iterations per task (1-50)', '3')
    .option('--task-timeout <seconds>', 'cancel a task still running after this long', '1800')
    .option('--work-dir <dir>', "where each task's throwaway repository is made (default: the temp folder if tasks may target it, else .agent-agency-eval in the first allowed folder)");
  withCommonOptions(cmd, { target: false });
  return cmd.action(action(evalSuite));
}

const int = (text: string, min: number, max: number, flag: string): number => {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max) throw new RangeError(`${flag}: must be a whole number from ${min} to ${max}, not ${JSON.stringify(text)}`);
  return n;
};

export async function evalSuite(ctx: CommandContext): Promise<ExitCode> {
  const opts = ctx.options as EvalOptions;
  let repeat: number, maxIterations: number, timeoutS: number;
  try {
    repeat = int(opts.repeat, 1, 20, '--repeat');
    maxIterations = int(opts.maxIterations, 1, 50, '--max-iterations');
    timeoutS = int(opts.taskTimeout, 10, 86_400, '--task-timeout');
    if (opts.mode !== 'dry-run' && opts.mode !== 'auto') throw new RangeError(`--mode: must be dry-run or auto (strict stops for a human at every phase), not ${JSON.stringify(opts.mode)}`);
  } catch (e) {
    ctx.io.err(`agent-agency: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  const mode = opts.mode;
  let suite: Suite;
  try {
    const only = opts.tasks?.split(',').map((s) => s.trim()).filter(Boolean);
    suite = loadSuite(resolve(opts.suite ?? bundledSuiteDir()), only);
  } catch (e) {
    if (e instanceof SuiteError) {
      if (ctx.json) ctx.io.out(`${JSON.stringify({ error: { code: 'invalid_input', message: e.message, issues: e.problems } })}\n`);
      else ctx.io.err(`agent-agency: the suite cannot be used:\n${e.problems.map((p) => `  ${p.task ? `task ${p.task}: ` : ''}${p.field}: ${p.message}`).join('\n')}\n`);
      return EXIT.usage;
    }
    throw e;
  }

  const logger = createLogger({ level: process.env['AGENT_AGENCY_LOG_LEVEL'] ?? 'error' });
  const runner = sandboxRunner(await SandboxService.detect({ logger }), { dataDir: ctx.dataDir });
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const view = progressView(ctx);
  try {
    if (opts.selfTest) {
      try {
        const results = await requireSelfTest(suite, runner, view.onProgress, controller.signal);
        view.done();
        ctx.print({ selfTest: 'passed', suite: suite.name, tasks: results.length }, () => `Self-test passed: all ${results.length} tasks of ${suite.name} grade their reference solution resolved and the unchanged repository unresolved.`);
        return EXIT.ok;
      } catch (e) {
        view.done();
        return refused(ctx, e);
      }
    }
    let opened: ReturnType<typeof openEvalCore>;
    try {
      opened = openEvalCore(ctx.dataDir, logger);
    } catch (e) {
      ctx.io.err(`agent-agency: ${(e as Error).message}\n`);
      return EXIT.unavailable;
    }
    try {
      const workRoot = evalWorkRoot(opts.workDir, opened.allowedRoots());
      mkdirSync(workRoot, { recursive: true });
      const { runId, results, totals } = await runEval({
        workRoot,
        suite,
        db: opened.core.db,
        calibration: opened.core.calibration,
        engine: opened.engine,
        meter: opened.meter,
        runner,
        mode,
        repeat,
        maxIterations,
        taskTimeoutMs: timeoutS * 1000,
        models: opened.models(),
        signal: controller.signal,
        onProgress: view.onProgress,
      });
      view.done();
      if (opts.report) {
        writeFileSync(resolve(opts.report), renderReport({ runId, suite: suite.name, mode, models: opened.models(), startedAt: Date.now() - totals.wallMs, results, totals }));
      }
      if (!ctx.json) ctx.io.out(`${summary(suite.name, runId, results, totals)}${opts.report ? `\nReport: ${resolve(opts.report)}` : ''}\n`);
      return controller.signal.aborted ? EXIT.interrupted : EXIT.ok;
    } catch (e) {
      view.done();
      return refused(ctx, e);
    } finally {
      opened.close();
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

/** A folder for the tasks' repositories that submit accepts: inside an allowed folder. */
function evalWorkRoot(given: string | undefined, allowed: readonly string[]): string {
  if (given) return resolve(given);
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  const tmp = real(tmpdir());
  if (allowed.map(real).some((root) => tmp === root || tmp.startsWith(root + sep))) return tmp;
  return join(allowed[0] ?? tmp, '.agent-agency-eval');
}

function refused(ctx: CommandContext, e: unknown): ExitCode {
  if (!(e instanceof SelfTestFailed)) throw e;
  const issues = e.results.flatMap((r) => r.problems);
  if (ctx.json) ctx.io.out(`${JSON.stringify({ error: { code: 'invalid_input', message: 'the suite fails its self-test', issues } })}\n`);
  else ctx.io.err(`agent-agency: ${e.message}\n`);
  return EXIT.failure;
}

const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);

function summary(suite: string, runId: string, results: readonly EvalTaskResult[], t: EvalTotals): string {
  const lines = results.map(
    (r) =>
      `  ${r.resolved ? 'PASS' : 'fail'}  ${r.evalTask.padEnd(28)} #${r.attempt}  council ${r.council.padEnd(6)} (${r.councilOutcome.replace('_', ' ')})  it ${r.iterations}  calls ${r.modelCalls}  tok ${r.promptTokens}+${r.completionTokens}  ${(r.wallMs / 1000).toFixed(1)}s  ${r.stopReason}`,
  );
  return [
    `Eval ${runId} of ${suite}:`,
    ...lines,
    `Resolved ${t.resolved}/${t.attempts} (${pct(t.resolvedRate)}); council precision ${pct(t.council.precision)}, recall ${pct(t.council.recall)} ` +
      `(true/false accept ${t.council.trueAccept}/${t.council.falseAccept}, true/false reject ${t.council.trueReject}/${t.council.falseReject}, unreviewed ${t.council.unreviewed})`,
    `Model calls ${t.modelCalls}; tokens ${t.promptTokens} prompt + ${t.completionTokens} completion; per resolved task ${t.tokensPerResolved === null ? 'n/a' : Math.round(t.tokensPerResolved)} tokens, ${t.wallMsPerResolved === null ? 'n/a' : `${(t.wallMsPerResolved / 1000).toFixed(1)} s`}; wall ${(t.wallMs / 1000).toFixed(1)} s`,
  ].join('\n');
}

/** NDJSON with --json; a progress bar redrawn in place in a terminal; a line per task in a pipe. */
function progressView(ctx: CommandContext): { onProgress: (p: EvalProgress) => void; done: () => void } {
  const live = ctx.io.isTTY && !ctx.json;
  let bar = '';
  const draw = (text: string) => {
    if (!live) return;
    const width = Math.max(20, ctx.io.columns - 1);
    ctx.io.out(`\r\x1b[2K${text.slice(0, width)}`);
    bar = text;
  };
  const meter = (done: number, of: number) => {
    const cells = 20;
    const filled = of === 0 ? 0 : Math.round((done / of) * cells);
    return `[${'#'.repeat(filled)}${'-'.repeat(cells - filled)}] ${done}/${of}`;
  };
  const line = (text: string) => {
    if (live && bar) ctx.io.out('\r\x1b[2K');
    ctx.io.out(`${text}\n`);
    if (live && bar) ctx.io.out(bar);
  };
  let resolved = 0;
  return {
    onProgress: (p) => {
      if (ctx.json) {
        ctx.io.out(`${JSON.stringify(p)}\n`);
        return;
      }
      switch (p.type) {
        case 'selftest':
          if (!p.ok) line(`self-test: task ${p.task}: ${p.problems.map((x) => `${x.field}: ${x.message}`).join('; ')}`);
          draw(`self-test ${meter(p.index + 1, p.of)} ${p.task}`);
          break;
        case 'start':
          line(`Eval ${p.runId}: ${p.attempts} attempt(s) of ${p.tasks} task(s) from ${p.suite}, mode ${p.mode}; models: ${Object.entries(p.models).map(([r, m]) => `${r}=${m}`).join(', ') || 'none assigned'}`);
          break;
        case 'task.started':
          draw(`${meter(p.index, p.of)} resolved ${resolved}  running ${p.task} #${p.attempt}`);
          break;
        case 'task':
          if (p.result.resolved) resolved++;
          if (!live) line(`${p.index + 1}/${p.of} ${p.result.evalTask} #${p.result.attempt}: ${p.result.resolved ? 'resolved' : 'not resolved'} (${p.result.stopReason})`);
          draw(`${meter(p.index + 1, p.of)} resolved ${resolved}`);
          break;
        case 'totals':
          break;
      }
    },
    done: () => {
      if (live && bar) ctx.io.out('\r\x1b[2K');
      bar = '';
    },
  };
}
