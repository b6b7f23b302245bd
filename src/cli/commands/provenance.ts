import fs from 'node:fs';
import { createPublicKey } from 'node:crypto';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { z } from 'zod';
import { AuditCommit, SigningKeyInfo } from '../../shared/channels/provenance';
import type { Task } from '../../shared/domain/task';
import { parseTrailers, TRAILER_KEYS } from '../../main/core/provenance/trailers';
import { action, withClient, withCommonOptions, type CommandContext, type CommonOptions } from '../context';
import type { AgencyClient } from '../client/types';
import { EXIT, type ExitCode } from '../exit-codes';
import { stateLabel } from '../format';

type ShowOptions = CommonOptions & { repo?: string };

type Signature = { status: 'verified'; kid: string } | { status: 'invalid'; why: string } | { status: 'unchecked'; why: string };

export function provenanceCommand(): Command {
  const show = new Command('show')
    .description("where an applied commit came from: its task, working spec and verdict, and whether the installation's key signed them")
    .argument('<commit>', 'commit id (full or abbreviated) or a ref such as HEAD')
    .option('-r, --repo <path>', 'the repository holding the commit (default: the current folder)');
  withCommonOptions(show).action(action(showProvenance));
  return new Command('provenance').description('provenance of applied changes').addCommand(show);
}

async function showProvenance(ctx: CommandContext, ref: string): Promise<ExitCode> {
  const opts = ctx.options as ShowOptions;
  const dir = resolve(opts.repo ?? process.cwd());
  let oid: string;
  let message: string;
  try {
    oid = await resolveCommit(dir, ref);
    const { default: git } = await import('isomorphic-git');
    message = (await git.readCommit({ fs, dir, oid })).commit.message;
  } catch (e) {
    return ctx.fail({ code: 'not_found', message: `no commit ${ref} in ${dir}: ${e instanceof Error ? e.message : String(e)}` });
  }
  const trailers = new Map(parseTrailers(message).map((t) => [t.key, t.value]));
  const taskId = trailers.get(TRAILER_KEYS.task);
  if (!taskId) return ctx.fail({ code: 'not_found', message: `commit ${oid.slice(0, 12)} carries no ${TRAILER_KEYS.task} trailer; Agent Agency did not apply it` });

  return withClient(ctx, async (client) => {
    const signature = await checkSignature(client, trailers);
    const task = await client.call('getTask', { id: taskId });
    const audit = client.has('listAuditCommits') ? await client.callByName('listAuditCommits', { taskId }) : undefined;
    const auditCommits = audit?.ok ? z.array(AuditCommit).safeParse(audit.value) : undefined;
    const t: Task | undefined = task.ok ? task.value.task : undefined;
    const report = {
      commit: oid,
      taskId,
      spec: trailers.get(TRAILER_KEYS.spec) ?? null,
      verdict: trailers.get(TRAILER_KEYS.verdict) ?? null,
      signature,
      task: t ?? null,
      auditCommits: auditCommits?.success ? auditCommits.data.length : null,
    };
    ctx.print(report, () =>
      [
        `Commit     ${oid}`,
        `Task       ${taskId}${t ? ` (${stateLabel(t.state)}): ${t.description}` : ' (not in this data folder)'}`,
        `Spec       ${report.spec ?? '(no trailer)'}`,
        `Verdict    ${report.verdict ?? '(no trailer)'}`,
        `Signature  ${signature.status === 'verified' ? `verified, key ${signature.kid}` : `${signature.status}: ${signature.why}`}`,
        ...(report.auditCommits !== null ? [`Audit      ${report.auditCommits} record(s) in the audit repository`] : []),
      ].join('\n'),
    );
    return signature.status === 'invalid' ? EXIT.failure : EXIT.ok;
  });
}

async function resolveCommit(dir: string, ref: string): Promise<string> {
  const { default: git } = await import('isomorphic-git');
  if (/^[0-9a-f]{4,40}$/i.test(ref)) {
    try {
      return await git.expandOid({ fs, dir, oid: ref.toLowerCase() });
    } catch {
      // Not an abbreviated id; maybe a branch named like one.
    }
  }
  return git.resolveRef({ fs, dir, ref });
}

/** Checks the signature trailer against the installation's public keys and the other trailers. */
async function checkSignature(client: AgencyClient, trailers: Map<string, string>): Promise<Signature> {
  const jws = trailers.get(TRAILER_KEYS.signature);
  if (!jws) return { status: 'invalid', why: `no ${TRAILER_KEYS.signature} trailer` };
  if (!client.has('listSigningKeys')) return { status: 'unchecked', why: 'this version cannot read the signing keys' };
  const keys = await client.callByName('listSigningKeys', {});
  const parsed = keys.ok ? z.array(SigningKeyInfo).safeParse(keys.value) : undefined;
  if (!parsed?.success) return { status: 'unchecked', why: keys.ok ? 'unexpected signing key list' : keys.error.message };
  const { verifyJwsWithKeys } = await import('../../main/core/provenance/jws');
  const verified = await verifyJwsWithKeys(
    jws,
    parsed.data.map((k) => ({ kid: k.kid, key: createPublicKey({ key: k.publicJwk, format: 'jwk' }) })),
  );
  if (!verified) return { status: 'invalid', why: "no key of this installation verifies it (altered, or signed elsewhere)" };
  const statement = z
    .object({ taskId: z.string(), spec: z.object({ id: z.string(), sha256: z.string() }), verdict: z.object({ decision: z.string(), score: z.number() }) })
    .safeParse(verified.payload);
  if (!statement.success) return { status: 'invalid', why: 'the signed statement is not an apply statement' };
  const s = statement.data;
  // The trailers anyone reads must say what was signed.
  if (trailers.get(TRAILER_KEYS.task) !== s.taskId) return { status: 'invalid', why: 'the task trailer differs from the signed task' };
  if (!trailers.get(TRAILER_KEYS.spec)?.startsWith(`${s.spec.id} sha256:${s.spec.sha256}`)) return { status: 'invalid', why: 'the spec trailer differs from the signed spec' };
  if (!trailers.get(TRAILER_KEYS.verdict)?.startsWith(`${s.verdict.decision} score=${s.verdict.score}`)) return { status: 'invalid', why: 'the verdict trailer differs from the signed verdict' };
  return { status: 'verified', kid: verified.kid };
}
