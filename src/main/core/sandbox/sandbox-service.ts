import type { Logger } from '../observability/logger';
import { detectSandbox, type SandboxDetection } from './detect';
import { describePolicy } from './policy';
import { sandboxEnv } from './env';
import type { SandboxBackend, SandboxCommand, SandboxDenial, SandboxKind, SandboxResult, SandboxRunOptions, WrappedCommand } from './types';
import { UnsandboxedBackend } from './unsandboxed-backend';

export type UnsandboxedRun = { command: SandboxCommand; cwd: string; policy: string; taskId?: string | undefined };

export type SandboxServiceOptions = {
  logger: Logger;
  /** Which sandbox this machine has (composition roots pass `await detectSandbox()`). */
  detection: SandboxDetection;
  /** The user's "run commands without a sandbox" setting, read at each run. */
  allowUnsandboxed?: () => boolean;
  /** Called before every run without a sandbox, so the caller can journal it. */
  onUnsandboxedRun?: (run: UnsandboxedRun) => void;
  /** Told after every run with its outcome (task traces draw a span per sandboxed command). */
  onRun?: (run: FinishedRun) => void;
  /**
   * Whether a task was granted network (on submit, journaled). A run for such a task gets the
   * network whatever policy its caller built; every other run keeps the caller's policy (no network
   * by default).
   */
  networkGrant?: (taskId: string) => boolean;
};

export type FinishedRun = { command: SandboxCommand; cwd: string; taskId?: string | undefined; result: SandboxResult };

export type SandboxStatus =
  | { available: true; kind: SandboxKind; description: string }
  | { available: false; kind: 'none'; reason: string; installHint: string; unsandboxedAllowed: boolean };

/**
 * The one way the app runs a command that a model, a spec or a tool call caused. Without a usable
 * sandbox every run fails closed with a `no-sandbox` denial that says how to install one, unless
 * the user has turned on running without one.
 */
export class SandboxService {
  private readonly unsandboxed = new UnsandboxedBackend();
  constructor(private readonly options: SandboxServiceOptions) {}

  static async detect(options: Omit<SandboxServiceOptions, 'detection'>): Promise<SandboxService> {
    return new SandboxService({ ...options, detection: await detectSandbox() });
  }

  status(): SandboxStatus {
    const d = this.options.detection;
    if (d.available) return { available: true, kind: d.backend.kind, description: d.backend.description };
    return { available: false, kind: 'none', reason: d.reason, installHint: d.installHint, unsandboxedAllowed: this.options.allowUnsandboxed?.() ?? false };
  }

  get backend(): SandboxBackend | undefined {
    return this.options.detection.available ? this.options.detection.backend : undefined;
  }

  /**
   * For long-lived processes the caller spawns itself (MCP stdio servers): the command and args that
   * run `argv` under the policy, or the denial. Same fail-closed rule as `run`.
   */
  async wrapCommand(argv: readonly string[], given: Omit<SandboxRunOptions, 'signal'>): Promise<WrappedCommand | { denial: SandboxDenial }> {
    const options = this.granted(given);
    const d = this.options.detection;
    if (argv.length === 0) return { denial: { kind: 'spawn', message: 'no command to run' } };
    if (d.available) {
      if (!d.backend.wrap) return { denial: { kind: 'spawn', message: `${d.backend.description} cannot wrap a long-lived command` } };
      try {
        return await d.backend.wrap(argv, options);
      } catch (e) {
        return { denial: { kind: 'filesystem', message: e instanceof Error ? e.message : String(e) } };
      }
    }
    if (this.options.allowUnsandboxed?.()) {
      this.options.onUnsandboxedRun?.({ command: argv, cwd: options.cwd, policy: describePolicy(options.policy), taskId: options.taskId });
      return { command: argv[0]!, args: argv.slice(1), env: sandboxEnv(options.policy.workspaceDir, options.env), cwd: options.cwd };
    }
    return { denial: { kind: 'no-sandbox', message: `no sandbox on this machine (${d.reason}); refusing to start ${argv[0]}. To fix: ${d.installHint}.` } };
  }

  async run(command: SandboxCommand, given: SandboxRunOptions): Promise<SandboxResult> {
    const options = this.granted(given);
    const result = await this.runOnce(command, options);
    try {
      this.options.onRun?.({ command, cwd: options.cwd, taskId: options.taskId, result });
    } catch (e) {
      this.options.logger.warn({ err: e }, 'a sandbox run listener failed');
    }
    return result;
  }

  /** The caller's options, with the network on when the run's task holds a network grant. */
  private granted<T extends Omit<SandboxRunOptions, 'signal'>>(options: T): T {
    if (options.policy.network || !options.taskId || !this.options.networkGrant) return options;
    let granted = false;
    try {
      granted = this.options.networkGrant(options.taskId);
    } catch (e) {
      // Fail closed: a grant that cannot be read is no grant.
      this.options.logger.warn({ err: e, taskId: options.taskId }, 'could not read the task network grant; running without network');
    }
    return granted ? { ...options, policy: { ...options.policy, network: true } } : options;
  }

  private async runOnce(command: SandboxCommand, options: SandboxRunOptions): Promise<SandboxResult> {
    const d = this.options.detection;
    if (d.available) {
      const result = await d.backend.run(command, options);
      if (result.denial) this.options.logger.info({ denial: result.denial, cwd: options.cwd }, 'sandboxed command was limited or denied');
      return result;
    }
    if (this.options.allowUnsandboxed?.()) {
      const policy = describePolicy(options.policy);
      this.options.logger.warn({ cwd: options.cwd }, 'running a command WITHOUT a sandbox (user setting)');
      this.options.onUnsandboxedRun?.({ command, cwd: options.cwd, policy, taskId: options.taskId });
      return this.unsandboxed.run(command, options);
    }
    const message = `no sandbox on this machine (${d.reason}); refusing to run the command. To fix: ${d.installHint}. Or turn on "run commands without a sandbox" in Settings (not recommended).`;
    return { exitCode: null, signal: null, stdout: '', stderr: message, output: message, truncated: false, durationMs: 0, sandbox: 'none', denial: { kind: 'no-sandbox', message } };
  }
}
