import { execFile } from 'node:child_process';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isWithin } from './bwrap-args';
import { refused, toArgv } from './bwrap-backend';
import { classifyDenial } from './denial';
import { sandboxEnv } from './env';
import type { SandboxPolicy } from './policy';
import { runProcessTree } from './process-tree';
import { seatbeltProfile } from './seatbelt-profile';
import type { SandboxBackend, SandboxCommand, SandboxResult, SandboxRunOptions, WrappedCommand } from './types';

const userProcessCount = () =>
  new Promise<number>((done) => {
    execFile('ps', ['-U', String(process.getuid?.() ?? 0), '-o', 'pid='], (error, stdout) => done(error ? 0 : stdout.split('\n').filter(Boolean).length));
  });

/**
 * macOS: `sandbox-exec -p PROFILE`, with limits set by the shell's ulimit before the command execs.
 * macOS has no per-sandbox process count, so the process limit is the user's current count plus
 * the policy's allowance.
 */
export class SeatbeltBackend implements SandboxBackend {
  readonly kind = 'sandbox-exec' as const;
  readonly description: string;
  constructor(private readonly sandboxExec: string) {
    this.description = `sandbox-exec (${sandboxExec})`;
  }

  /**
   * The long-lived form (MCP stdio servers): `sandbox-exec -p PROFILE sh -c LIMITS argv`, spawned
   * by the caller. The private temp folder lives as long as the process may; it sits in the OS's
   * temp folder, which macOS reclaims.
   */
  async wrap(argv: readonly string[], options: Omit<SandboxRunOptions, 'signal'>): Promise<WrappedCommand> {
    const prepared = await this.prepare(options);
    if ('refusal' in prepared) throw new Error(prepared.refusal);
    const { cwd, ws, tmp, args } = prepared;
    return { command: this.sandboxExec, args: [...args, ...argv], env: sandboxEnv(ws, { HOME: tmp, TMPDIR: tmp, ...options.env }), cwd };
  }

  async run(command: SandboxCommand, options: SandboxRunOptions): Promise<SandboxResult> {
    const prepared = await this.prepare(options);
    if ('refusal' in prepared) return { ...refused(prepared.refusal), sandbox: 'sandbox-exec' };
    const { cwd, ws, tmp, args, policy } = prepared;
    try {
      const l = policy.limits;
      const raw = await runProcessTree({
        file: this.sandboxExec,
        args: [...args, ...toArgv(command)],
        cwd,
        env: sandboxEnv(ws, { HOME: tmp, TMPDIR: tmp, ...options.env }),
        wallTimeMs: l.wallTimeMs,
        maxOutputBytes: l.maxOutputBytes,
        signal: options.signal,
      });
      const denial = classifyDenial(raw, policy) ?? (/Operation not permitted/.test(raw.stderr) ? { kind: 'filesystem' as const, message: 'the sandbox refused an operation (see the output)' } : undefined);
      return { exitCode: raw.exitCode, signal: raw.signal, stdout: raw.stdout, stderr: raw.stderr, output: raw.output, truncated: raw.truncated, durationMs: raw.durationMs, sandbox: 'sandbox-exec', ...(denial ? { denial } : {}) };
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** Real paths, the private temp folder, and the sandbox-exec arguments up to the command itself. */
  private async prepare(options: Omit<SandboxRunOptions, 'signal'>): Promise<{ refusal: string } | { cwd: string; ws: string; tmp: string; policy: SandboxPolicy; args: string[] }> {
    // Seatbelt matches real paths (/tmp is /private/tmp on macOS).
    const ws = await realpath(options.policy.workspaceDir);
    const policy: SandboxPolicy = { ...options.policy, workspaceDir: ws };
    const cwd = await realpath(resolve(options.cwd)).catch(() => resolve(options.cwd));
    if (!isWithin(cwd, ws)) return { refusal: `working directory ${cwd} is outside the workspace ${ws}` };
    const tmp = await realpath(await mkdtemp(join(tmpdir(), 'aa-sandbox-')));
    const l = policy.limits;
    const nproc = (await userProcessCount()) + l.maxProcesses;
    const limits = `ulimit -t ${l.cpuSeconds} && ulimit -u ${nproc} && ulimit -d ${Math.ceil(l.memoryBytes / 1024)} && ulimit -f ${Math.ceil(l.maxFileBytes / 512)} && ulimit -c 0 && exec "$@"`;
    return { cwd, ws, tmp, policy, args: ['-p', seatbeltProfile(policy, tmp), '/bin/sh', '-c', limits, 'sh'] };
  }
}
