/**
 * The process the apply-kill test kills: it lands one patch on a real git repository with the real
 * ChangeApplier (the code the apply step runs), printing START just before and APPLIED <json> after.
 *
 * Usage: node apply-child.mjs <repo> <patchFile> <baseCommit> new-branch|current-branch
 */
import { readFileSync } from 'node:fs';
import { silentLogger } from '../../observability/logger';
import { sha256 } from '../../workspace/hash';
import { ChangeApplier } from '../apply-change';

async function main(): Promise<void> {
  const [repo, patchFile, baseCommit, mode] = process.argv.slice(2);
  if (!repo || !patchFile || !baseCommit || (mode !== 'new-branch' && mode !== 'current-branch')) {
    throw new Error('usage: apply-child <repo> <patchFile> <baseCommit> new-branch|current-branch');
  }
  const patch = readFileSync(patchFile, 'utf8');
  const applier = new ChangeApplier({
    logger: silentLogger(),
    sign: async (statement) => `eyJhbGciOiJFZERTQSJ9.${Buffer.from(JSON.stringify(statement)).toString('base64url')}.c2ln`,
  });
  process.stdout.write('START\n');
  const result = await applier.apply({
    taskId: 'tsk_0000000kill1',
    targetPath: repo,
    patch,
    expectedSha256: sha256(patch),
    baseCommit,
    mode,
    subject: 'Apply under fire',
    specId: 'FIX-0001',
    verdict: 'accept (score 0.90)',
  });
  process.stdout.write(`APPLIED ${JSON.stringify(result)}\n`);
  process.exit(result.ok ? 0 : 3);
}

void main();
