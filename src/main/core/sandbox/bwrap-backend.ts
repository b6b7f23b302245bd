import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { bwrapArgs, isWithin, type PathKind } from './bwrap-args';
import { classifyDenial } from './denial';
import { sandboxEnv } from './env';
import { runProcessTree } from './process-tree';
import type { SandboxBackend, SandboxCommand, SandboxResult, SandboxRunOptions, WrappedCommand } from './types';
import { openWorkspaceTo } from './workspace-access';

export type BwrapTools = { bwrap: string; prlimit: string; setpriv?: string | undefined; version: string };

/** The uid a root host drops commands to: the kernel does not apply the process limit to uid 0. */
export const UNPRIVILEGED_UID = 65534;

const kindOf = (path: string): PathKind => {
  try {
    return statSync(path).isDirectory() ? 'dir' : 'file';
  } catch {
    return 'missing';
  }
};

export const toArgv = (command: SandboxCommand): readonly string[] => (typeof command === 'string' ? ['sh', '-c', command] : command);

/** Linux: bubblewrap with its own pid, ipc, uts and (unless granted) network namespaces. */
export class BwrapBackend implements SandboxBackend {
  readonly kind = 'bubblewrap' as const;
  readonly description: string;
  constructor(
    private readonly tools: BwrapTools,
    private readonly uid: number = process.getuid?.() ?? 1000,
  ) {
    this.description = `${tools.version} (${tools.bwrap})`;
  }

  async wrap(argv: readonly string[], options: Omit<SandboxRunOptions, 'signal'>): Promise<WrappedCommand> {
    const { policy } = options;
    const cwd = resolve(options.cwd);
    if (!isWithin(cwd, policy.workspaceDir)) throw new Error(`working directory ${cwd} is outside the workspace ${policy.workspaceDir}`);
    const asRoot = this.uid === 0;
    if (asRoot) await openWorkspaceTo(policy.workspaceDir, policy.readOnlyInWorkspace);
    const args = bwrapArgs({ policy, cwd, argv, kindOf, dropToUid: asRoot ? UNPRIVILEGED_UID : undefined, prlimitPath: this.tools.prlimit, setprivPath: this.tools.setpriv });
    return { command: this.tools.bwrap, args, env: sandboxEnv(policy.workspaceDir, options.env), cwd: policy.workspaceDir };
  }

  async run(command: SandboxCommand, options: SandboxRunOptions): Promise<SandboxResult> {
    const { policy } = options;
    const cwd = resolve(options.cwd);
    if (!isWithin(cwd, policy.workspaceDir)) {
      return refused(`working directory ${cwd} is outside the workspace ${policy.workspaceDir}`);
    }
    const asRoot = this.uid === 0;
    if (asRoot) await openWorkspaceTo(policy.workspaceDir, policy.readOnlyInWorkspace);
    const args = bwrapArgs({
      policy,
      cwd,
      argv: toArgv(command),
      kindOf,
      dropToUid: asRoot ? UNPRIVILEGED_UID : undefined,
      prlimitPath: this.tools.prlimit,
      setprivPath: this.tools.setpriv,
    });
    const raw = await runProcessTree({
      file: this.tools.bwrap,
      args,
      cwd: policy.workspaceDir,
      env: sandboxEnv(policy.workspaceDir, options.env),
      wallTimeMs: policy.limits.wallTimeMs,
      maxOutputBytes: policy.limits.maxOutputBytes,
      signal: options.signal,
    });
    const denial = classifyDenial(raw, policy);
    return {
      exitCode: raw.exitCode,
      signal: raw.signal,
      stdout: raw.stdout,
      stderr: raw.stderr,
      output: raw.output,
      truncated: raw.truncated,
      durationMs: raw.durationMs,
      sandbox: 'bubblewrap',
      ...(denial ? { denial } : {}),
    };
  }
}

export function refused(message: string): SandboxResult {
  return { exitCode: null, signal: null, stdout: '', stderr: message, output: message, truncated: false, durationMs: 0, sandbox: 'bubblewrap', denial: { kind: 'filesystem', message } };
}
