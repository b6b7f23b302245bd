import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import type { WorkingSpec } from '../../../shared/domain/working-spec';
import { buildPolicy, type SandboxService } from '../sandbox';

/** Whether an acceptance test command ran (a failing test ran; a missing program did not). */
export type TestProbe = (command: string, repoPath: string, signal?: AbortSignal) => Promise<{ ran: boolean; detail: string }>;

const NOT_RUN = /command not found|Could not find|not found: |No such file or directory|Syntax error|syntax error|unexpected EOF|ERR_MODULE_NOT_FOUND|Cannot find module|No module named|usage: /;

/**
 * Runs a spec's test command in the sandbox on a scratch clone of the repository (never the
 * repository itself), so the plan's tests are known to run before the plan goes to review. A test
 * that fails ran; a program that is missing, a shell syntax error, a file that is not there, or a
 * command the sandbox stopped did not.
 */
export function sandboxTestProbe(sandbox: SandboxService | (() => Promise<SandboxService>), options: { dataDir?: string; timeoutMs?: number } = {}): TestProbe {
  return async (command, repoPath, signal) => {
    const service = typeof sandbox === 'function' ? await sandbox() : sandbox;
    const dir = mkdtempSync(join(tmpdir(), 'aa-plan-probe-'));
    try {
      rmSync(dir, { recursive: true, force: true });
      execFileSync('git', ['clone', '--quiet', '--no-hardlinks', '--depth', '1', `file://${repoPath}`, dir], { stdio: 'pipe' });
      chmodSync(dir, 0o755);
      const r = await service.run(command, {
        cwd: dir,
        policy: buildPolicy({ workspaceDir: dir, ...(options.dataDir ? { dataDir: options.dataDir } : {}), limits: { wallTimeMs: options.timeoutMs ?? 60_000 } }),
        env: { PATH: [dirname(process.execPath), process.env['PATH'] ?? '/usr/bin:/bin'].join(delimiter) },
        ...(signal ? { signal } : {}),
      });
      const tail = r.output.trim().split('\n').slice(-4).join(' | ').slice(0, 400);
      if (r.denial) return { ran: false, detail: `the sandbox stopped it (${r.denial.kind}: ${r.denial.message})` };
      if (r.exitCode === 126 || r.exitCode === 127) return { ran: false, detail: `the program could not be run (exit ${r.exitCode}): ${tail}` };
      if (r.exitCode !== 0 && NOT_RUN.test(r.output)) return { ran: false, detail: `it did not run (exit ${r.exitCode}): ${tail}` };
      return { ran: true, detail: r.exitCode === 0 ? 'passes' : `runs and fails for now (exit ${r.exitCode})` };
    } catch (e) {
      return { ran: false, detail: `could not prepare a scratch copy to run it: ${e instanceof Error ? e.message : String(e)}` };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** Each distinct test command of the spec, run once through the probe; a problem for each that did not run. */
export async function testRunProblems(spec: WorkingSpec, repoPath: string, probe: TestProbe, signal?: AbortSignal): Promise<string[]> {
  const out: string[] = [];
  const seen = new Map<string, { ran: boolean; detail: string }>();
  for (const [i, a] of spec.acceptance.entries()) {
    if (!a.test_command) continue;
    let r = seen.get(a.test_command);
    if (!r) {
      r = await probe(a.test_command, repoPath, signal);
      seen.set(a.test_command, r);
    }
    if (!r.ran) out.push(`acceptance[${i}].test: ${JSON.stringify(a.test_command)} does not run in the repository: ${r.detail}`);
  }
  return out;
}
