import { Command } from 'commander';
import { TASK_STATE_KINDS } from '../../shared/domain/task';
import { action, numberOr, parseInput, withClient, withCommonOptions, type CommandContext, type CommonOptions } from '../context';
import { EXIT, type ExitCode } from '../exit-codes';
import { ago, progressBar, stateLabel, table, taskSummary } from '../format';
import { describeEvent } from '../watch/view';

type ListOptions = CommonOptions & { state?: string[]; search?: string; limit: string };
type ShowOptions = CommonOptions & { events?: boolean };

export function tasksCommand(): Command {
  const tasks = new Command('tasks').description('list and inspect tasks');
  const list = new Command('list')
    .description('list tasks, newest first')
    .option('-s, --state <states...>', `only these states: ${TASK_STATE_KINDS.join(', ')}`)
    .option('-q, --search <text>', 'only tasks whose description or repository contains this')
    .option('-l, --limit <n>', 'at most this many (1-500)', '50');
  withCommonOptions(list).action(action(listTasks));
  const show = new Command('show')
    .description('show one task with its recent events')
    .argument('<id>', 'task id (tsk_…)')
    .option('-e, --events', 'all events, not just the last 15');
  withCommonOptions(show).action(action(showTask));
  return tasks.addCommand(list).addCommand(show);
}

async function listTasks(ctx: CommandContext): Promise<ExitCode> {
  const opts = ctx.options as ListOptions;
  const flags = { states: '--state', search: '--search', limit: '--limit' };
  const states = opts.state?.flatMap((s) => s.split(',')).filter(Boolean);
  const input = parseInput('listTasks', {
    ...(states?.length ? { states } : {}),
    ...(opts.search ? { search: opts.search } : {}),
    limit: numberOr(opts.limit),
  });
  if (!input.ok) return ctx.fail(input.error, flags);
  return withClient(ctx, async (client) => {
    const r = await client.call('listTasks', input.value);
    if (!r.ok) return ctx.fail(r.error, flags);
    ctx.print(r.value, () =>
      r.value.length === 0
        ? 'No tasks.'
        : table(
            ['ID', 'STATE', 'PROGRESS', 'MODE', 'TIER', 'CREATED', 'DESCRIPTION'],
            r.value.map((t) => [t.id, stateLabel(t.state), progressBar(t.progress, 10), t.mode, String(t.riskTier), ago(t.createdAt), t.description]),
            ctx.io.columns,
          ),
    );
    return EXIT.ok;
  });
}

async function showTask(ctx: CommandContext, id: string): Promise<ExitCode> {
  const opts = ctx.options as ShowOptions;
  const input = parseInput('getTask', { id });
  if (!input.ok) return ctx.fail(input.error, { id: '<id>' });
  return withClient(ctx, async (client) => {
    const r = await client.call('getTask', input.value);
    if (!r.ok) return ctx.fail(r.error, { id: '<id>' });
    const { task, events } = r.value;
    ctx.print(r.value, () => {
      const shown = opts.events ? events : events.slice(-15);
      const lines = shown.flatMap((e) => {
        const d = describeEvent(e);
        return d === undefined ? [] : [`  #${e.seq}  ${new Date(e.ts).toISOString().replace('T', ' ').slice(0, 19)}  ${d}`];
      });
      const more = events.length > shown.length ? `  … ${events.length - shown.length} earlier (--events shows all)\n` : '';
      return `${taskSummary(task)}\n${task.spec ? `\nWorking spec:\n${task.spec.replace(/^/gm, '  ')}\n` : ''}\nEvents (${events.length}):\n${more}${lines.join('\n')}`;
    });
    return EXIT.ok;
  });
}
