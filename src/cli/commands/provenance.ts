import fs from 'node:fs';
import { createPublicKey } from 'node:crypto';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { z } from 'zod';
import { AuditCommit, SigningKeyInfo } from '../../shared/channels/provenance';
import type { Task } from '../../shared/domain/task';
import { checkApplyCommit, TRAILER_KEYS, trailersOfMessage, type CommitFacts } from '../../main/core/provenance/trailers';
import { PublicJwk } from '../../main/core/provenance/keys';
import { KeyFile } from '../verify';
import { action, withClient, withCommonOptions, type CommandContext, type CommonOptions } from '../context';
import type { AgencyClient } from '../client/types';
import { EXIT, type ExitCode } from '../exit-codes';
import { stateLabel } from '../format';

type ShowOptions = CommonOptions & { repo?: string; key?: string[] };

type Signature = { status: 'verified'; kid: string } | { status: 'invalid'; why: string } | { status: 'unchecked'; why: string };

export function provenanceCommand(): Command {
  const show = new Command('show')
    .description("where an applied commit came from: its task, working spec and verdict, and whether the installation's key signed them")
    .argument('<commit>', 'commit id (full or abbreviated) or a ref such as HEAD')
    .option('-r, --repo <path>', 'the repository holding the commit (default: the current folder)')
    .option('-k, --key <file...>', "check offline against these public keys (a JWK, JWKS or an installation's keys/history.json) instead of this installation's");
  withCommonOptions(show).action(action(showProvenance));
  return new Command('provenance').description('provenance of applied changes').addCommand(show);
}

export async function showProvenance(ctx: CommandContext, ref: string): Promise<ExitCode> {
  const opts = ctx.options as ShowOptions;
  const dir = resolve(opts.repo ?? process.cwd());
  let oid: string;
  let commit: CommitFacts;
  try {
    oid = await resolveCommit(dir, ref);
    const { default: git } = await import('isomorphic-git');
    const read = (await git.readCommit({ fs, dir, oid })).commit;
    commit = { message: read.message, tree: read.tree, parents: read.parent };
  } catch (e) {
    return ctx.fail({ code: 'not_found', message: `no commit ${ref} in ${dir}: ${e instanceof Error ? e.message : String(e)}` });
  }
  const trailers = trailersOfMessage(commit.message);
  const taskId = trailers[TRAILER_KEYS.task]?.[0];
  if (!taskId) return ctx.fail({ code: 'not_found', message: `commit ${oid.slice(0, 12)} carries no ${TRAILER_KEYS.task} trailer; Agent Agency did not apply it` });

  const report = (signature: Signature, task: Task | undefined, auditCommits: number | null) => {
    const out = {
      commit: oid,
      taskId,
      spec: trailers[TRAILER_KEYS.spec]?.[0] ?? null,
      verdict: trailers[TRAILER_KEYS.verdict]?.[0] ?? null,
      signature,
      task: task ?? null,
      auditCommits,
    };
    ctx.print(out, () =>
      [
        `Commit     ${oid}`,
        `Task       ${taskId}${task ? ` (${stateLabel(task.state)}): ${task.description}` : opts.key ? '' : ' (not in this data folder)'}`,
        `Spec       ${out.spec ?? '(no trailer)'}`,
        `Verdict    ${out.verdict ?? '(no trailer)'}`,
        `Signature  ${signature.status === 'verified' ? `verified, key ${signature.kid}` : `${signature.status}: ${signature.why}`}`,
        ...(auditCommits !== null ? [`Audit      ${auditCommits} record(s) in the audit repository`] : []),
      ].join('\n'),
    );
    return signature.status === 'invalid' ? EXIT.failure : EXIT.ok;
  };

  if (opts.key?.length) {
    const keys: PublicJwk[] = [];
    for (const file of opts.key) {
      let parsed;
      try {
        parsed = KeyFile.safeParse(JSON.parse(fs.readFileSync(resolve(file), 'utf8')));
      } catch (e) {
        return ctx.fail({ code: 'invalid_input', message: `--key ${file}: ${e instanceof Error ? e.message : String(e)}` });
      }
      if (!parsed.success) return ctx.fail({ code: 'invalid_input', message: `--key ${file}: not an Ed25519 public JWK, JWKS or key history` });
      keys.push(...parsed.data);
    }
    return report(await checkSignature(commit, keys), undefined, null);
  }

  return withClient(ctx, async (client) => {
    const signature = await installationSignature(client, commit);
    const task = await client.call('getTask', { id: taskId });
    const audit = client.has('listAuditCommits') ? await client.callByName('listAuditCommits', { taskId }) : undefined;
    const auditCommits = audit?.ok ? z.array(AuditCommit).safeParse(audit.value) : undefined;
    return report(signature, task.ok ? task.value.task : undefined, auditCommits?.success ? auditCommits.data.length : null);
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

/** Checks the commit against the installation's public keys (current and retired). */
async function installationSignature(client: AgencyClient, commit: CommitFacts): Promise<Signature> {
  if (!client.has('listSigningKeys')) return { status: 'unchecked', why: 'this version cannot read the signing keys' };
  const keys = await client.callByName('listSigningKeys', {});
  const parsed = keys.ok ? z.array(SigningKeyInfo).safeParse(keys.value) : undefined;
  if (!parsed?.success) return { status: 'unchecked', why: keys.ok ? 'unexpected signing key list' : keys.error.message };
  const jwks = z.array(PublicJwk).safeParse(parsed.data.map((k) => k.publicJwk));
  if (!jwks.success) return { status: 'unchecked', why: 'a signing key of this installation is not an Ed25519 public key' };
  return checkSignature(commit, jwks.data);
}

async function checkSignature(commit: CommitFacts, jwks: readonly PublicJwk[]): Promise<Signature> {
  const { verifyJwsWithKeys } = await import('../../main/core/provenance/jws');
  const { jwkThumbprint } = await import('../../main/core/provenance/keys');
  const keys = jwks.map((jwk) => ({ kid: jwkThumbprint(jwk), key: createPublicKey({ key: jwk, format: 'jwk' }) }));
  const result = await checkApplyCommit(commit, (jws) => verifyJwsWithKeys(jws, keys));
  if (result.status === 'verified') return { status: 'verified', kid: result.kid };
  return { status: 'invalid', why: result.why };
}
