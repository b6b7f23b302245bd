import { Command } from 'commander';
import { GATE_NAMES, type Waiver } from '../../shared/domain/governance';
import { cliActor } from '../actor';
import { action, numberOr, parseInput, withClient, withCommonOptions, type CommandContext, type CommonOptions } from '../context';
import { EXIT, type ExitCode } from '../exit-codes';
import { table } from '../format';

type CreateOptions = CommonOptions & {
  title?: string;
  gates?: string;
  reason?: string;
  expires: string;
  spec?: string;
  allSpecs?: boolean;
  maxUses?: string;
  budgetFiles?: string;
  budgetLines?: string;
  by?: string;
};
type ByOptions = CommonOptions & { by?: string; reason?: string };

const CREATE_FLAGS = {
  title: '--title',
  gates: '--gates',
  reason: '--reason',
  expiresAt: '--expires',
  specId: '--spec',
  allSpecs: '--all-specs',
  maxUses: '--max-uses',
  budgetDelta: '--budget-files/--budget-lines',
  createdBy: '--by',
};

/** Waivers widen a tier's gates for a while; created pending, effective once approved. */
export function waiverCommand(): Command {
  const list = new Command('list').description('waivers with their status (pending, active, expired, revoked, exhausted)');
  withCommonOptions(list).action(action(listWaivers));
  const create = new Command('create')
    .description('create a waiver; it covers nothing until approved')
    .requiredOption('--title <title>', 'what it allows')
    .requiredOption('--gates <gates>', `comma-separated: ${GATE_NAMES.join(', ')}`)
    .requiredOption('--reason <text>', 'why it is needed (at least 10 characters)')
    .option('--expires <when>', 'ISO date-time, or a duration from now like 7d, 12h, 30m', '7d')
    .option('--spec <id>', 'only for this working spec')
    .option('--all-specs', 'cover every spec (instead of --spec); shown as "all specs"')
    .option('--max-uses <n>', 'at most this many uses')
    .option('--budget-files <n>', 'extra files for the budget gate')
    .option('--budget-lines <n>', 'extra lines for the budget gate')
    .option('--by <name>', 'who asks for it (default: your user name)');
  withCommonOptions(create).action(action(createWaiver));
  const approve = new Command('approve')
    .description('approve a pending waiver')
    .argument('<id>', 'waiver id (WV-0001)')
    .option('--by <name>', 'who approves (default: your user name)');
  withCommonOptions(approve).action(action(approveWaiver));
  const revoke = new Command('revoke')
    .description('revoke a waiver; it covers nothing afterwards')
    .argument('<id>', 'waiver id (WV-0001)')
    .requiredOption('--reason <text>', 'why')
    .option('--by <name>', 'who revokes (default: your user name)');
  withCommonOptions(revoke).action(action(revokeWaiver));
  return new Command('waiver').description('list, create, approve and revoke waivers').addCommand(list).addCommand(create).addCommand(approve).addCommand(revoke);
}

/** `7d`, `12h`, `30m` from now, or an absolute date-time; text that is neither is passed on to be named. */
export function parseExpiry(text: string, now = Date.now()): number | string {
  const m = /^\s*(\d+)\s*([mhdw])\s*$/.exec(text);
  if (m) return now + Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 'm' | 'h' | 'd' | 'w'];
  const t = Date.parse(text);
  return Number.isNaN(t) ? text : t;
}

const describeWaiver = (w: Waiver) =>
  `${w.id} ${w.status}: ${w.title} (gates ${w.gates.join(', ')}; ${w.specId ? `spec ${w.specId}` : 'ALL SPECS'}; expires ${new Date(w.expiresAt).toISOString()})`;

async function listWaivers(ctx: CommandContext): Promise<ExitCode> {
  return withClient(ctx, async (client) => {
    const r = await client.call('listWaivers', {});
    if (!r.ok) return ctx.fail(r.error);
    ctx.print(r.value, () =>
      r.value.length === 0
        ? 'No waivers.'
        : table(
            ['ID', 'STATUS', 'GATES', 'SPEC', 'EXPIRES', 'USES', 'TITLE'],
            r.value.map((w) => [w.id, w.status, w.gates.join(','), w.specId ?? 'ALL SPECS', new Date(w.expiresAt).toISOString().slice(0, 16).replace('T', ' '), w.maxUses === null ? String(w.uses) : `${w.uses}/${w.maxUses}`, w.title]),
            ctx.io.columns,
          ),
    );
    return EXIT.ok;
  });
}

async function createWaiver(ctx: CommandContext): Promise<ExitCode> {
  const o = ctx.options as CreateOptions;
  const budget = o.budgetFiles !== undefined || o.budgetLines !== undefined ? { files: numberOr(o.budgetFiles ?? '0'), lines: numberOr(o.budgetLines ?? '0') } : undefined;
  const input = parseInput('createWaiver', {
    title: o.title,
    gates: (o.gates ?? '').split(',').map((g) => g.trim()).filter(Boolean),
    reason: o.reason,
    createdBy: o.by ?? cliActor().who,
    expiresAt: parseExpiry(o.expires),
    ...(o.spec !== undefined ? { specId: o.spec } : {}),
    ...(o.allSpecs ? { allSpecs: true } : {}),
    ...(o.maxUses !== undefined ? { maxUses: numberOr(o.maxUses) } : {}),
    ...(budget ? { budgetDelta: budget } : {}),
  });
  if (!input.ok) return ctx.fail(input.error, CREATE_FLAGS);
  return withClient(ctx, async (client) => {
    const r = await client.call('createWaiver', input.value);
    if (!r.ok) return ctx.fail(r.error, CREATE_FLAGS);
    ctx.print(r.value, () => `Created ${describeWaiver(r.value)}\nIt covers nothing until approved: agent-agency waiver approve ${r.value.id}`);
    return EXIT.ok;
  });
}

async function approveWaiver(ctx: CommandContext, id: string): Promise<ExitCode> {
  const o = ctx.options as ByOptions;
  const input = parseInput('approveWaiver', { id, approver: o.by ?? cliActor().who });
  if (!input.ok) return ctx.fail(input.error, { id: '<id>', approver: '--by' });
  return withClient(ctx, async (client) => {
    const r = await client.call('approveWaiver', input.value);
    if (!r.ok) return ctx.fail(r.error, { id: '<id>', approver: '--by' });
    ctx.print(r.value, () => `Approved ${describeWaiver(r.value)}`);
    return EXIT.ok;
  });
}

async function revokeWaiver(ctx: CommandContext, id: string): Promise<ExitCode> {
  const o = ctx.options as ByOptions;
  const input = parseInput('revokeWaiver', { id, revokedBy: o.by ?? cliActor().who, reason: o.reason });
  if (!input.ok) return ctx.fail(input.error, { id: '<id>', revokedBy: '--by', reason: '--reason' });
  return withClient(ctx, async (client) => {
    const r = await client.call('revokeWaiver', input.value);
    if (!r.ok) return ctx.fail(r.error, { id: '<id>', revokedBy: '--by', reason: '--reason' });
    ctx.print(r.value, () => `Revoked ${describeWaiver(r.value)}`);
    return EXIT.ok;
  });
}
