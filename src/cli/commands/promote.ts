import { Command } from 'commander';
import { cliActor } from '../actor';
import { action, parseInput, withClient, withCommonOptions, type CommandContext, type CommonOptions } from '../context';
import { EXIT, type ExitCode } from '../exit-codes';

type PromoteOptions = CommonOptions & { sha256?: string; currentBranch?: boolean };

/** `agent-agency promote <task>`: apply a finished dry-run's kept patch, checked by hash. */
export function promoteCommand(): Command {
  const cmd = new Command('promote')
    .description("apply a finished dry-run's kept patch (exactly those bytes, checked by sha256) to the repository as it is now")
    .argument('<task>', 'task id (tsk_…) of a completed dry-run')
    .option('--sha256 <hex>', 'the hash of the patch you reviewed (default: the kept patch; refused if it differs)')
    .option('--current-branch', 'commit on the checked-out branch instead of a new branch agent-agency/<task>');
  withCommonOptions(cmd).action(action(promote));
  return cmd;
}

/** `agent-agency retry <task>`: the same inputs again, as a new task linked to the old one. */
export function retryCommand(): Command {
  const cmd = new Command('retry')
    .description('retry a failed or cancelled task (or re-run a finished one against the repository as it is now): a new task with the same inputs, linked to it')
    .argument('<task>', 'task id (tsk_…)');
  withCommonOptions(cmd).action(action(retry));
  return cmd;
}

export async function promote(ctx: CommandContext, taskId: string): Promise<ExitCode> {
  const opts = ctx.options as PromoteOptions;
  const flags = { id: '<task>', sha256: '--sha256' };
  const checkInput = parseInput('checkPromote', { id: taskId });
  if (!checkInput.ok) return ctx.fail(checkInput.error, flags);
  return withClient(ctx, async (client) => {
    const check = await client.call('checkPromote', checkInput.value);
    if (!check.ok) return ctx.fail(check.error, flags);
    const c = check.value;
    if (c.reason) {
      const hint = c.offerRerun ? `\nRe-run it against the new head with: agent-agency retry ${taskId}` : '';
      return ctx.fail({ code: 'conflict', message: `cannot promote ${taskId}: ${c.reason}${hint}` }, flags);
    }
    const input = parseInput('promoteTask', {
      id: taskId,
      sha256: opts.sha256 ?? c.sha256,
      actor: cliActor(),
      target: opts.currentBranch ? 'current-branch' : 'new-branch',
    });
    if (!input.ok) return ctx.fail(input.error, flags);
    const r = await client.call('promoteTask', input.value);
    if (!r.ok) return ctx.fail(r.error, flags);
    const p = r.value;
    ctx.print(p, () =>
      p.commit
        ? `Promoted ${taskId}: commit ${p.commit.slice(0, 12)} on ${p.branch ?? 'the current branch'} (${p.files.length} file(s), patch sha256 ${p.patchSha256.slice(0, 12)}…)`
        : `Promoted ${taskId}: patched ${p.files.length} file(s) in place (patch sha256 ${p.patchSha256.slice(0, 12)}…)`,
    );
    return EXIT.ok;
  }, { engine: false });
}

export async function retry(ctx: CommandContext, taskId: string): Promise<ExitCode> {
  const input = parseInput('retryTask', { id: taskId, actor: cliActor() });
  if (!input.ok) return ctx.fail(input.error, { id: '<task>' });
  return withClient(ctx, async (client) => {
    const r = await client.call('retryTask', input.value);
    if (!r.ok) return ctx.fail(r.error, { id: '<task>' });
    const runs = client.kind === 'in-process' ? '\nIt runs when Agent Agency runs on this data folder (agent-agency serve, or the app); follow it with: agent-agency tasks show ' + r.value.id : '';
    ctx.print(r.value, () => `Submitted ${r.value.id}, a retry of ${taskId} (${r.value.mode}).${runs}`);
    return EXIT.ok;
  }, { engine: false });
}
