import { Command } from 'commander';
import type { AlertView, SloStatus } from '../../shared/channels/slo';
import { cliActor } from '../actor';
import { action, withClient, withCommonOptions, type CommandContext, type CommonOptions } from '../context';
import { EXIT, type ExitCode } from '../exit-codes';
import { table } from '../format';

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);

/** `agent-agency slo list`: each objective, its SLI, the budget left and whether it burns. */
export function sloCommand(): Command {
  const list = new Command('list').description('objectives computed from the journal: SLI, target, error budget left, burn rates');
  withCommonOptions(list).action(
    action(async (ctx) =>
      withClient(ctx, async (client) => {
        const r = await client.call('listSlos', {});
        if (!r.ok) return ctx.fail(r.error);
        ctx.print(r.value, () => sloTable(r.value, ctx.io.columns));
        return EXIT.ok;
      }),
    ),
  );
  return new Command('slo').description('service-level objectives').addCommand(list);
}

export function sloTable(slos: readonly SloStatus[], width: number): string {
  return table(
    ['OBJECTIVE', 'SLI', 'TARGET', 'BUDGET LEFT', 'EVENTS', 'STATE'],
    slos.map((s) => [
      s.definition.id,
      s.definition.kind === 'budget' ? `${s.valid - s.good}/${s.definition.maxEvents ?? 0}` : pct(s.sli),
      s.definition.kind === 'budget' ? `≤${s.definition.maxEvents ?? 0}` : pct(s.definition.target),
      pct(s.budgetRemaining),
      String(s.valid),
      !s.definition.enabled ? 'disabled' : s.burnRates.some((b) => b.burning) ? 'burning' : s.meeting ? 'meeting' : 'missing',
    ]),
    width,
  );
}

type AlertOptions = CommonOptions & { state?: string; by?: string; for?: string };

/** `agent-agency alerts list|ack|silence`. */
export function alertsCommand(): Command {
  const list = new Command('list').description('alerts (firing first) and their history').option('--state <state>', 'firing, resolved or all', 'all');
  withCommonOptions(list).action(action(listAlerts));
  const ack = new Command('ack').description('acknowledge an alert (journaled with who)').argument('<id>', 'alert id').option('--by <name>', 'who acknowledges (default: your OS user)');
  withCommonOptions(ack).action(
    action(async (ctx: CommandContext, id: string) =>
      withClient(ctx, async (client) => {
        const o = ctx.options as AlertOptions;
        const r = await client.call('acknowledgeAlert', { id, actor: o.by ?? cliActor().who });
        if (!r.ok) return ctx.fail(r.error, { actor: '--by' });
        ctx.print(r.value, () => `Acknowledged ${id}.`);
        return EXIT.ok;
      }),
    ),
  );
  const silence = new Command('silence')
    .description('silence an alert: its rule does not fire again until the silence ends')
    .argument('<id>', 'alert id')
    .requiredOption('--for <duration>', 'how long, e.g. 30m, 2h, 1d')
    .option('--by <name>', 'who silences (default: your OS user)');
  withCommonOptions(silence).action(
    action(async (ctx: CommandContext, id: string) => {
      const o = ctx.options as AlertOptions;
      const ms = durationMs(o.for ?? '');
      if (ms === undefined) return ctx.fail({ code: 'invalid_input', message: '--for: must be a duration like 30m, 2h or 1d' });
      return withClient(ctx, async (client) => {
        const r = await client.call('silenceAlert', { id, actor: o.by ?? cliActor().who, untilMs: Date.now() + ms });
        if (!r.ok) return ctx.fail(r.error, { actor: '--by', untilMs: '--for' });
        ctx.print(r.value, () => `Silenced ${id} until ${new Date(r.value.silencedUntil ?? 0).toLocaleString()}.`);
        return EXIT.ok;
      });
    }),
  );
  return new Command('alerts').description('alerts raised by the objectives\' burn rates').addCommand(list).addCommand(ack).addCommand(silence);
}

async function listAlerts(ctx: CommandContext): Promise<ExitCode> {
  const o = ctx.options as AlertOptions;
  const state = o.state ?? 'all';
  if (!['firing', 'resolved', 'all'].includes(state)) return ctx.fail({ code: 'invalid_input', message: '--state: must be firing, resolved or all' });
  return withClient(ctx, async (client) => {
    const r = await client.call('listAlerts', { state: state as 'firing' | 'resolved' | 'all' });
    if (!r.ok) return ctx.fail(r.error);
    ctx.print(r.value, () => (r.value.alerts.length ? alertTable(r.value.alerts, ctx.io.columns) : 'No alerts.'));
    return EXIT.ok;
  });
}

export function alertTable(alerts: readonly AlertView[], width: number): string {
  return table(
    ['STATE', 'SEVERITY', 'FIRED', 'ID', 'SUMMARY'],
    alerts.map((a) => [
      a.state + (a.acknowledgedBy ? ' (ack)' : '') + (a.silencedUntil && a.silencedUntil > Date.now() ? ' (silenced)' : ''),
      a.severity,
      new Date(a.firedAt).toISOString().slice(0, 16).replace('T', ' '),
      a.id,
      a.summary,
    ]),
    width,
  );
}

function durationMs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
}
