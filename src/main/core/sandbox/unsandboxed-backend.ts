import { resolve } from 'node:path';
import { toArgv } from './bwrap-backend';
import { classifyDenial } from './denial';
import { sandboxEnv } from './env';
import { runProcessTree } from './process-tree';
import type { SandboxBackend, SandboxCommand, SandboxResult, SandboxRunOptions } from './types';

/**
 * Only for the user's explicit "run commands without a sandbox" setting: the command runs with the
 * sanitized environment, the wall-time limit and a process-group kill, and nothing else. Every run
 * through it is journaled by the caller and the UI shows a banner while the setting is on.
 */
export class UnsandboxedBackend implements SandboxBackend {
  readonly kind = 'none' as const;
  readonly description = 'no sandbox (the user turned on "run commands without a sandbox")';

  async run(command: SandboxCommand, options: SandboxRunOptions): Promise<SandboxResult> {
    const argv = toArgv(command);
    const raw = await runProcessTree({
      file: argv[0]!,
      args: argv.slice(1),
      cwd: resolve(options.cwd),
      env: sandboxEnv(options.policy.workspaceDir, { HOME: process.env['HOME'] ?? '/tmp', TMPDIR: process.env['TMPDIR'] ?? '/tmp', ...options.env }),
      wallTimeMs: options.policy.limits.wallTimeMs,
      maxOutputBytes: options.policy.limits.maxOutputBytes,
      signal: options.signal,
    });
    const denial = classifyDenial({ ...raw, stderr: '', stdout: '' }, options.policy);
    return { exitCode: raw.exitCode, signal: raw.signal, stdout: raw.stdout, stderr: raw.stderr, output: raw.output, truncated: raw.truncated, durationMs: raw.durationMs, sandbox: 'none', ...(denial ? { denial } : {}) };
  }
}
