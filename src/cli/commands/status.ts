import { Command } from 'commander';
import { TASK_STATE_KINDS, type TaskStateKind } from '../../shared/domain/task';
import { findInstance, isAlive } from '../client/connect';
import { action, withClient, withCommonOptions, type CommandContext } from '../context';
import { EXIT, type ExitCode } from '../exit-codes';

const SAMPLE = 500;

export function statusCommand(): Command {
  const cmd = new Command('status').description('whether Agent Agency is running, and what its tasks and scheduler are doing');
  withCommonOptions(cmd);
  return cmd.action(action(status));
}

async function status(ctx: CommandContext): Promise<ExitCode> {
  const instance = findInstance(ctx.dataDir);
  const running = instance ? await isAlive(instance) : false;
  return withClient(ctx, async (client) => {
    const tasks = await client.call('listTasks', { limit: SAMPLE });
    if (!tasks.ok) return ctx.fail(tasks.error);
    const counts: Partial<Record<TaskStateKind, number>> = {};
    for (const t of tasks.value) counts[t.state.kind] = (counts[t.state.kind] ?? 0) + 1;
    const scheduler = client.has('getSchedulerState') ? await client.call('getSchedulerState', {}) : undefined;
    const sched = scheduler?.ok ? scheduler.value : undefined;
    const alertsReply = client.has('listAlerts') ? await client.call('listAlerts', { state: 'firing' }) : undefined;
    const firing = alertsReply?.ok ? alertsReply.value.alerts : [];
    const report = {
      dataDir: ctx.dataDir,
      instance: running && instance ? { url: instance.url, pid: instance.pid ?? null } : null,
      via: client.kind,
      runsTasks: client.runsTasks ?? null,
      tasks: { counts, sampled: tasks.value.length, complete: tasks.value.length < SAMPLE },
      scheduler: sched ? { level: sched.level, slots: sched.slots, inUse: sched.inUse, reason: sched.reason, paused: sched.paused } : null,
      alerts: firing.map((a) => ({ id: a.id, severity: a.severity, summary: a.summary, acknowledged: a.acknowledgedBy !== null })),
    };
    ctx.print(report, () => {
      const countLine = TASK_STATE_KINDS.filter((k) => counts[k]).map((k) => `${k.replace(/_/g, ' ')} ${counts[k]}`).join(', ');
      return [
        `Agent Agency  ${running && instance ? `running at ${instance.url}${instance.pid ? ` (pid ${instance.pid})` : ''}` : 'not running (answered by the core in this process)'}`,
        `Data folder   ${ctx.dataDir}`,
        ...(client.runsTasks === undefined
          ? []
          : [`Task engine   ${client.runsTasks ? 'runs tasks in this process' : 'not running; execute, intervene, approve and deny start it in-process, or run agent-agency serve'}`]),
        `Tasks         ${countLine || 'none'}${report.tasks.complete ? '' : ` (newest ${SAMPLE})`}`,
        ...(sched ? [`Scheduler     ${sched.level}, ${sched.inUse}/${sched.slots} slots in use${sched.paused ? `, paused: ${sched.paused.reason}` : ''} (${sched.reason})`] : []),
        `Alerts        ${firing.length ? firing.map((a) => `${a.severity}: ${a.summary}${a.acknowledgedBy ? ' (acknowledged)' : ''}`).join('\n              ') : 'none firing'}`,
      ].join('\n');
    });
    return EXIT.ok;
  });
}
