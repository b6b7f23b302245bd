import { Command } from 'commander';
import { ApprovalGate, type Task } from '../../shared/domain/task';
import type { Result } from '../../shared/errors';
import { cliActor } from '../actor';
import { action, parseInput, withClient, withCommonOptions, type CommandContext, type CommonOptions } from '../context';
import { EXIT, type ExitCode } from '../exit-codes';
import { stateLabel } from '../format';
import type { AgencyClient } from '../client/types';

type InterveneOptions = CommonOptions & { reason?: string };
type ApprovalOptions = CommonOptions & { reason?: string; gate?: string; scope?: string };

const ACTIONS = ['pause', 'resume', 'cancel', 'guide', 'override'] as const;

export function interveneCommand(): Command {
  const cmd = new Command('intervene')
    .description('steer a task: pause | resume | cancel | guide "<text>" | override accept|reject --reason "<text>"')
    .argument('<id>', 'task id (tsk_…)')
    .argument('<action>', ACTIONS.join(' | '))
    .argument('[text]', 'guidance text (guide) or the decision, accept | reject (override)')
    .option('--reason <text>', 'why (required for override; optional for cancel)')
    .addHelpText(
      'after',
      `
Examples:
  agent-agency intervene tsk_… pause
  agent-agency intervene tsk_… guide "keep the public API unchanged"
  agent-agency intervene tsk_… override accept --reason "the failing lint rule is a false positive"
  agent-agency intervene tsk_… cancel --reason "wrong repository"`,
    );
  withCommonOptions(cmd);
  return cmd.action(action(intervene));
}

export function approveCommand(): Command {
  const cmd = new Command('approve')
    .description('grant the approval a task (strict mode) waits for')
    .argument('<id>', 'task id (tsk_…)')
    .option('--gate <gate>', `only if it waits for this: ${ApprovalGate.options.join(' | ')}`)
    .option('--scope <scope>', 'once (this gate), phase (also later approvals of this gate kind) or task (every remaining plan, changeset and apply approval)', 'once')
    .addHelpText(
      'after',
      `
A standing approval (--scope phase|task) never passes a council rejection or a tool call; revoke it
from the task's page or with POST /api/v1/tasks/<id>/standing-approvals/revoke.`,
    );
  withCommonOptions(cmd);
  return cmd.action(action(async (ctx: CommandContext, id: string) => decide(ctx, id, 'approve')));
}

export function denyCommand(): Command {
  const cmd = new Command('deny')
    .description('deny the approval a task waits for')
    .argument('<id>', 'task id (tsk_…)')
    .requiredOption('--reason <text>', 'why (recorded in the audit trail)')
    .option('--gate <gate>', `only if it waits for this: ${ApprovalGate.options.join(' | ')}`);
  withCommonOptions(cmd);
  return cmd.action(action(async (ctx: CommandContext, id: string) => decide(ctx, id, 'deny')));
}

const FLAGS = { id: '<id>', text: '<text>', decision: '<text>', reason: '--reason', gate: '--gate', scope: '--scope' };

export async function intervene(ctx: CommandContext, id: string, act: string, text: string | undefined): Promise<ExitCode> {
  const opts = ctx.options as InterveneOptions;
  const actor = cliActor();
  const usage = (message: string) => ctx.fail({ code: 'invalid_input', message });
  let send: (client: AgencyClient) => Promise<Result<Task>>;
  switch (act) {
    case 'pause':
    case 'resume': {
      if (text !== undefined) return usage(`${act} takes no text`);
      const input = parseInput(act === 'pause' ? 'pauseTask' : 'resumeTask', { id, actor });
      if (!input.ok) return ctx.fail(input.error, FLAGS);
      send = (c) => c.call(act === 'pause' ? 'pauseTask' : 'resumeTask', input.value);
      break;
    }
    case 'cancel': {
      const input = parseInput('cancelTask', { id, actor, ...(opts.reason !== undefined ? { reason: opts.reason } : {}), ...(text !== undefined ? { reason: text } : {}) });
      if (!input.ok) return ctx.fail(input.error, FLAGS);
      send = (c) => c.call('cancelTask', input.value);
      break;
    }
    case 'guide': {
      if (text === undefined) return usage('guide needs the guidance text: intervene <id> guide "<text>"');
      const input = parseInput('guideTask', { id, actor, text });
      if (!input.ok) return ctx.fail(input.error, FLAGS);
      send = (c) => c.call('guideTask', input.value);
      break;
    }
    case 'override': {
      if (text !== 'accept' && text !== 'reject') return usage('override needs a decision: intervene <id> override accept|reject --reason "<text>"');
      if (opts.reason === undefined) return usage('override needs --reason "<text>" (it is recorded in the audit trail)');
      const input = parseInput('overrideDecision', { id, actor, decision: text, reason: opts.reason });
      if (!input.ok) return ctx.fail(input.error, FLAGS);
      send = (c) => c.call('overrideDecision', input.value);
      break;
    }
    default:
      return usage(`unknown action ${JSON.stringify(act)}; use one of ${ACTIONS.join(', ')}`);
  }
  return withClient(ctx, async (client) => {
    const r = await send(client);
    if (!r.ok) return ctx.fail(r.error, FLAGS);
    ctx.print(r.value, () => `${r.value.id}: ${stateLabel(r.value.state)}`);
    return EXIT.ok;
   }, { engine: true });
}

export async function decide(ctx: CommandContext, id: string, which: 'approve' | 'deny'): Promise<ExitCode> {
  const opts = ctx.options as ApprovalOptions;
  const base = { id, actor: cliActor(), ...(opts.gate !== undefined ? { gate: opts.gate } : {}) };
  return withClient(ctx, async (client) => {
    let r: Result<Task>;
    if (which === 'approve') {
      const input = parseInput('approve', { ...base, ...(opts.scope !== undefined ? { scope: opts.scope } : {}) });
      if (!input.ok) return ctx.fail(input.error, FLAGS);
      r = await client.call('approve', input.value);
    } else {
      const input = parseInput('deny', { ...base, reason: opts.reason });
      if (!input.ok) return ctx.fail(input.error, FLAGS);
      r = await client.call('deny', input.value);
    }
    if (!r.ok) return ctx.fail(r.error, FLAGS);
    const how = which === 'approve' && opts.scope === 'phase' ? ' for this phase' : which === 'approve' && opts.scope === 'task' ? ' for the rest of the task' : '';
    ctx.print(r.value, () => `${r.value.id}: ${which === 'approve' ? 'approved' : 'denied'}${how}; now ${stateLabel(r.value.state)}`);
    return EXIT.ok;
   }, { engine: true });
}
