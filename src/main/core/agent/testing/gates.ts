import { runCommand } from '../../gates/run-command';
import type { GateContext, GateResult, GateRunner } from '../../gates/types';

/**
 * Test support: a real, tiny gate runner that runs one command (the fixture's tests) in the
 * workspace and reports it as the blocking `tests` gate, scored by the share of `# pass` lines
 * that node --test prints when it can tell.
 */
export class CommandGateRunner implements GateRunner {
  readonly runs: GateContext[] = [];
  constructor(private readonly command: string) {}

  async run(context: GateContext): Promise<GateResult[]> {
    this.runs.push(context);
    const started = Date.now();
    const result = await runCommand({ command: this.command, cwd: context.workspaceDir, timeoutMs: 60_000, ...(context.signal ? { signal: context.signal } : {}) });
    if (result.aborted) throw new DOMException('aborted', 'AbortError');
    const pass = Number(/# pass (\d+)/.exec(result.output)?.[1] ?? NaN);
    const fail = Number(/# fail (\d+)/.exec(result.output)?.[1] ?? NaN);
    const ok = result.exitCode === 0;
    const score = Number.isFinite(pass) && Number.isFinite(fail) && pass + fail > 0 ? pass / (pass + fail) : ok ? 1 : 0;
    return [{ gate: 'tests', status: ok ? 'pass' : 'fail', mode: 'block', score, details: result.output.slice(-4000), durationMs: Date.now() - started }];
  }
}

/** Test support: gates that report what a function of the workspace says. */
export class FnGateRunner implements GateRunner {
  readonly runs: GateContext[] = [];
  constructor(private readonly fn: (context: GateContext, run: number) => GateResult[] | Promise<GateResult[]>) {}
  async run(context: GateContext): Promise<GateResult[]> {
    this.runs.push(context);
    return this.fn(context, this.runs.length);
  }
}

export const gate = (name: string, status: GateResult['status'], score = status === 'pass' ? 1 : 0, mode: GateResult['mode'] = 'block'): GateResult => ({
  gate: name,
  status,
  mode,
  score,
  details: `${name} ${status}`,
  durationMs: 0,
});
