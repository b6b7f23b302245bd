import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { CalibrationService } from '../../main/core/calibration/service';
import { calibrationView } from '../../main/core/calibration/view';
import { OUTCOME_SOURCES, type OutcomeSource } from '../../main/core/calibration/types';
import { openDatabase, type Db } from '../../main/core/db/open';
import { Coordinator } from '../../main/core/federation/coordinator';
import { loadIdentity } from '../../main/core/federation/identity';
import { FederationMember } from '../../main/core/federation/member';
import { FederationPolicy } from '../../main/core/federation/protocol';
import { simulateFederation } from '../../main/core/federation/simulate';
import { FEDERATION_PREFIX, httpTransport } from '../../main/core/federation/transport';
import { silentLogger } from '../../main/core/observability/logger';
import { dataFiles } from '../../main/core/paths';
import { newAdminToken, startCoordinatorHttp } from '../../main/server/federation/coordinator-http';
import { action, withCommonOptions, type CommandContext } from '../context';
import { EXIT, type ExitCode } from '../exit-codes';

const clock = { now: () => Date.now() };
const fedDir = (dataDir: string) => join(dataDir, 'federation');
const CoordinatorFile = z.object({ url: z.string(), adminToken: z.string(), publicKey: z.string(), federationId: z.string() });

function open(ctx: CommandContext): Db {
  return openDatabase({ file: dataFiles(ctx.dataDir).database, logger: silentLogger() });
}

function member(ctx: CommandContext, db: Db): FederationMember {
  return new FederationMember({ db, identity: loadIdentity(fedDir(ctx.dataDir)), calibration: new CalibrationService({ db, clock }), clock, transport: (url) => httpTransport(url) });
}

function usage(ctx: CommandContext, message: string): ExitCode {
  return ctx.fail({ code: 'invalid_input', message });
}

function num(name: string, raw: string, min: number, max: number): number {
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || v > max) throw new UsageError(`${name}: must be a number from ${min} to ${max}`);
  return v;
}

class UsageError extends Error {}

/** `action` that reports a bad option value as a usage error (exit 2) naming the option. */
function act<A extends unknown[]>(body: (ctx: CommandContext, ...args: A) => Promise<ExitCode>) {
  return action<A>(async (ctx, ...args) => {
    try {
      return await body(ctx, ...args);
    } catch (e) {
      if (e instanceof UsageError) return usage(ctx, e.message);
      throw e;
    }
  });
}

async function adminCall(ctx: CommandContext, path: string, body?: unknown): Promise<unknown> {
  const file = join(fedDir(ctx.dataDir), 'coordinator.json');
  if (!existsSync(file)) throw new UsageError(`no coordinator runs on this data folder (${ctx.dataDir}); start one with \`agent-agency federation serve\``);
  const c = CoordinatorFile.parse(JSON.parse(readFileSync(file, 'utf8')));
  let res: Response;
  try {
    res = await fetch(`${c.url}${FEDERATION_PREFIX}/admin${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${c.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new Error(`the coordinator at ${c.url} does not answer; is \`agent-agency federation serve\` still running?`);
  }
  const json = (await res.json().catch(() => ({}))) as { error?: string };
  if (!res.ok) throw new Error(`coordinator: ${json.error ?? res.statusText}`);
  return json;
}

export function federationCommand(): Command {
  const cmd = new Command('federation').description('learn council calibration together with other installations, sharing no task, code or vote');

  const serve = new Command('serve')
    .description('run a federation coordinator on this installation (loopback by default)')
    .option('-p, --port <port>', 'port (0 picks a free one)', '4330')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--id <name>', 'federation id', 'team')
    .option('--min-cohort <n>', 'fewest members a round is combined from', '3')
    .option('--epsilon-per-round <e>', 'ε each round may spend', '1')
    .option('--max-epsilon <e>', 'most ε a member may spend per period', '8')
    .option('--delta <d>', 'δ of the (ε, δ) guarantee', '1e-5')
    .option('--period-days <days>', 'length of a privacy period', '30')
    .option('--clip <c>', 'L2 bound of one member\'s update', '1')
    .option('--sources <list>', `outcome sources members may learn from (${OUTCOME_SOURCES.join(',')})`, OUTCOME_SOURCES.join(','))
    .option('--window <seconds>', 'how long each round phase waits for members', '30')
    .option('--round-every <minutes>', 'open a round on a schedule (0: only with `federation round`)', '0')
    .option('--advertise <url>', 'the address invitations give members, when they reach this coordinator through a proxy');
  withCommonOptions(serve, { target: false });
  serve.action(act(serveCoordinator));
  cmd.addCommand(serve);

  cmd.addCommand(
    withCommonOptions(new Command('invite').description('(coordinator) print an invitation for a new member').argument('<name>', 'the member\'s name').option('--valid-days <days>', 'how long it is valid', '7'), { target: false }).action(
      act(async (ctx, name: string) => {
        const days = num('--valid-days', String(optsOf(ctx)['validDays'] ?? '7'), 0.001, 365);
        const r = z.object({ invitation: z.string() }).parse(await adminCall(ctx, '/invite', { name, validMs: Math.round(days * 86_400_000) }));
        ctx.print(r, () => `Invitation for ${name} (give it to them; it works once):\n${r.invitation}\n\nThey join with: agent-agency federation join <invitation>`);
        return EXIT.ok;
      }),
    ),
  );
  cmd.addCommand(
    withCommonOptions(new Command('revoke').description('(coordinator) revoke a member; its submissions are refused from now on').argument('<member>', 'member key'), { target: false }).action(
      act(async (ctx, memberKey: string) => {
        await adminCall(ctx, '/revoke', { member: memberKey });
        ctx.print({ revoked: memberKey }, () => `Revoked ${memberKey}.`);
        return EXIT.ok;
      }),
    ),
  );
  cmd.addCommand(
    withCommonOptions(new Command('round').description('(coordinator) open a round now'), { target: false }).action(
      act(async (ctx) => {
        const r = z.object({ roundId: z.string() }).parse(await adminCall(ctx, '/round', {}));
        ctx.print(r, () => `Round ${r.roundId} opened; members take part with \`agent-agency federation participate\`.`);
        return EXIT.ok;
      }),
    ),
  );
  cmd.addCommand(
    withCommonOptions(new Command('join').description('join a federation with an invitation').argument('<invitation>', 'the invitation text'), { target: false }).action(
      act(async (ctx, invitation: string) => {
        const db = open(ctx);
        try {
          const m = await member(ctx, db).join(invitation);
          ctx.print({ federationId: m.federationId, coordinator: m.coordinatorUrl, name: m.name }, () => `Joined federation ${m.federationId} at ${m.coordinatorUrl} as ${m.name}.`);
          return EXIT.ok;
        } finally {
          db.close();
        }
      }),
    ),
  );
  cmd.addCommand(
    withCommonOptions(
      new Command('participate')
        .description('take part in the coordinator\'s next round, then decide whether to adopt its result')
        .option('--timeout <seconds>', 'give up after', '120')
        // Fault injection for tests and drills: leave the round right after sharing the round key.
        .addOption(new Option('--stop-after <phase>').choices(['keys']).hideHelp()),
      { target: false },
    ).action(
      act(async (ctx) => {
        const timeout = num('--timeout', String(optsOf(ctx)['timeout'] ?? '120'), 1, 86_400);
        const db = open(ctx);
        try {
          const stop = optsOf(ctx)['stopAfter'] === 'keys' ? { stopAfter: 'keys' as const } : {};
          const r = await member(ctx, db).participate({ timeoutMs: timeout * 1000, pollMs: 100, ...stop });
          ctx.print(r, () => (r.status === 'skipped' ? `Did not contribute: ${r.reason}` : `Contributed to ${r.roundId} (ε spent ${r.epsilonSpent.toFixed(3)}); ${r.outcome}: ${r.reason}`));
          return r.status === 'contributed' && r.outcome === 'failed' ? EXIT.failure : EXIT.ok;
        } finally {
          db.close();
        }
      }),
    ),
  );
  cmd.addCommand(
    withCommonOptions(new Command('leave').description('leave the federation'), { target: false }).action(
      act(async (ctx) => {
        const db = open(ctx);
        try {
          await member(ctx, db).leave();
          ctx.print({ left: true }, () => 'Left the federation; nothing more is sent.');
          return EXIT.ok;
        } finally {
          db.close();
        }
      }),
    ),
  );
  cmd.addCommand(
    withCommonOptions(new Command('status').description('membership, privacy budget, calibration and recent rounds'), { target: false }).action(
      act(async (ctx) => {
        const db = open(ctx);
        try {
          const view = calibrationView(db, new CalibrationService({ db, clock }));
          const coordFile = join(fedDir(ctx.dataDir), 'coordinator.json');
          const coordinator = existsSync(coordFile) ? await adminCall(ctx, '/status').catch((e: Error) => ({ error: e.message })) : null;
          const memberKey = loadIdentity(fedDir(ctx.dataDir)).publicKey;
          ctx.print({ ...view, memberKey, coordinator }, () => {
            const f = view.federation;
            return [
              f
                ? `Member of ${f.federationId} at ${f.coordinatorUrl} as ${f.name}${f.leftAt ? ' (left)' : ''}; ε spent ${f.epsilonSpent.toFixed(3)} of ${f.maxEpsilon} this period (δ ${f.delta}), ${f.rounds} rounds`
                : 'Not a member of a federation.',
              `Calibration: ${view.mode}, from ${view.source}; learned from ${Object.entries(view.outcomesBySource).map(([k, n]) => `${n} ${k}`).join(', ') || 'no outcomes yet'}`,
              `Effect on known outcomes: would have rejected ${view.effect.wouldRejectBadAccepts} accepted changes later shown bad, accepted ${view.effect.wouldAcceptGoodRejects} rejected good ones; accuracy ${view.effect.accuracyCurrent.toFixed(2)} → ${view.effect.accuracyCalibrated.toFixed(2)}`,
              ...(coordinator ? [`Coordinator: ${JSON.stringify(coordinator).slice(0, 400)}`] : []),
              ...view.log.slice(0, 8).map((e) => `  ${new Date(e.ts).toISOString()}  ${e.kind}`),
            ].join('\n');
          });
          return EXIT.ok;
        } finally {
          db.close();
        }
      }),
    ),
  );
  const sim = new Command('simulate')
    .description('judges of known reliability, synthetic outcomes, the real learning, DP, secure aggregation and adoption code, in one process')
    .requiredOption('--participants <n>', 'installations')
    .requiredOption('--epsilon <e>', 'ε per round')
    .option('--rounds <r>', 'rounds', '10')
    .option('--seed <s>', 'random seed', '1')
    .option('--outcomes <n>', 'outcomes each installation knows', '10')
    .addOption(new Option('--json', 'print one JSON object'));
  sim.action(
    act(async (ctx) => {
      const o = optsOf(ctx);
      const report = await simulateFederation({
        participants: num('--participants', String(o['participants']), 2, 200),
        epsilon: num('--epsilon', String(o['epsilon']), 0.01, 10),
        rounds: num('--rounds', String(o['rounds']), 1, 100),
        seed: num('--seed', String(o['seed']), 0, 2 ** 31),
        outcomesPerMember: num('--outcomes', String(o['outcomes']), 1, 10_000),
        serverRate: 0.3,
      });
      ctx.print(report, () =>
        [
          `${report.participants} installations, ε ${report.epsilon_per_round} per round, ${report.rounds} rounds, ${report.outcomes_per_member} outcomes each`,
          `accuracy: default ${report.accuracy_before}, local only ${report.accuracy_local_only}, federated ${report.accuracy_after}`,
          `aggregate error ${report.aggregate_error} (DP noise), secure-sum error ${report.secure_sum_error.toExponential(2)}, ε spent per member ${report.epsilon_spent}`,
          `adoptions ${report.adopted}, refusals ${report.refused}`,
        ].join('\n'),
      );
      return EXIT.ok;
    }),
  );
  cmd.addCommand(sim);
  return cmd;
}

/** Every option of the command being run (the context keeps them all, not only the common ones). */
function optsOf(ctx: CommandContext): Record<string, unknown> {
  return ctx.options as unknown as Record<string, unknown>;
}

async function serveCoordinator(ctx: CommandContext): Promise<ExitCode> {
  const o = optsOf(ctx);
  let policy: FederationPolicy;
  let window: number;
  let every: number;
  let port: number;
  try {
    const sources = String(o['sources']).split(',').map((x) => x.trim()).filter(Boolean);
    const bad = sources.find((x) => !(OUTCOME_SOURCES as readonly string[]).includes(x));
    if (bad) throw new UsageError(`--sources: ${bad} is not one of ${OUTCOME_SOURCES.join(', ')}`);
    const parsed = FederationPolicy.safeParse({
      federationId: String(o['id']),
      minCohort: num('--min-cohort', String(o['minCohort']), 2, 1000),
      epsilonPerRound: num('--epsilon-per-round', String(o['epsilonPerRound']), 0.001, 10),
      maxEpsilonPerPeriod: num('--max-epsilon', String(o['maxEpsilon']), 0.001, 100),
      delta: num('--delta', String(o['delta']), 1e-12, 1e-3),
      periodMs: Math.round(num('--period-days', String(o['periodDays']), 0.0001, 3650) * 86_400_000),
      clip: num('--clip', String(o['clip']), 0.001, 100),
      allowedSources: sources as OutcomeSource[],
    });
    if (!parsed.success) throw new UsageError(`${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
    policy = parsed.data;
    window = num('--window', String(o['window']), 0.05, 86_400);
    every = num('--round-every', String(o['roundEvery']), 0, 100_000);
    port = num('--port', String(o['port']), 0, 65_535);
  } catch (e) {
    if (e instanceof UsageError) return usage(ctx, e.message);
    throw e;
  }
  const db = open(ctx);
  const identity = loadIdentity(fedDir(ctx.dataDir));
  const host = String(o['host']);
  const adminToken = newAdminToken();
  // The invitation names the URL members reach; the port is known only after listening.
  const pending = { url: '' };
  const coordinator = new Coordinator({ db, identity, policy, clock, get url() { return pending.url; }, windows: { keysMs: window * 1000, updatesMs: window * 1000, revealMs: window * 1000 } });
  const http = await startCoordinatorHttp({ coordinator, db, adminToken, host, port });
  pending.url = typeof o['advertise'] === 'string' ? String(o['advertise']) : http.url;
  mkdirSync(fedDir(ctx.dataDir), { recursive: true, mode: 0o700 });
  const file = join(fedDir(ctx.dataDir), 'coordinator.json');
  writeFileSync(file, JSON.stringify({ url: http.url, adminToken, publicKey: identity.publicKey, federationId: policy.federationId }), { mode: 0o600 });
  chmodSync(file, 0o600);
  const info = { url: http.url, federationId: policy.federationId, publicKey: identity.publicKey, policy };
  ctx.print(info, () =>
    [
      `Federation coordinator "${policy.federationId}" at ${http.url}`,
      `minimum cohort ${policy.minCohort}; ε ${policy.epsilonPerRound} per round, at most ${policy.maxEpsilonPerPeriod} per member per period (δ ${policy.delta})`,
      'Invite members with: agent-agency federation invite <name>    (Ctrl+C stops)',
    ].join('\n'),
  );
  const timer = every > 0 ? setInterval(() => { try { coordinator.openRound(); } catch { /* a round is still running */ } }, every * 60_000) : undefined;
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  if (timer) clearInterval(timer);
  await http.close();
  db.close();
  return EXIT.ok;
}
