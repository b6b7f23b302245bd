import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compactVerify, importJWK } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, testCore } from '../../../test/helpers';
import { ok } from '../../shared/errors';
import { ChangeApplier } from '../../main/core/apply/apply-change';
import { silentLogger } from '../../main/core/observability/logger';
import { TRAILER_KEYS } from '../../main/core/provenance/trailers';
import { sha256 } from '../../main/core/workspace/hash';
import { InProcessClient } from '../client/in-process';
import { CommandContext, type CommonOptions } from '../context';
import { memoryIo } from '../testing';
import { showProvenance } from './provenance';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** Stock git, isolated from the machine's configuration. */
function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

type Shown = { signature: { status: string; why?: string; kid?: string }; taskId: string; task: { id: string } | null; spec: string; verdict: string };

/** A real repository with a change applied by the production applier, signed with the installation's key. */
async function appliedCommit() {
  const core = testCore({ scheduler: { autoStart: false } });
  cleanups.push(() => core.cleanup());
  const repo = core.repo;
  git(repo, 'init', '-q');
  writeFileSync(join(repo, 'signup.js'), 'export const validate = (email) => true;\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'initial');
  const base = git(repo, 'rev-parse', 'HEAD').trim();
  writeFileSync(join(repo, 'signup.js'), 'export const validate = (email) => email.length > 0;\n');
  const patch = git(repo, 'diff');
  git(repo, 'checkout', '-q', '--', 'signup.js');

  const task = core.tasks.submit({ description: 'validate the signup email', repoPath: repo, mode: 'auto', riskTier: 2, priority: 'normal', maxIterations: 3 });
  // The applier exactly as the composition root wires it: signing with the provenance service's key.
  const applier = new ChangeApplier({ logger: silentLogger(), sign: (statement) => core.provenance.sign(statement) });
  const applied = await applier.apply({
    taskId: task.id,
    targetPath: repo,
    patch,
    expectedSha256: sha256(patch),
    baseCommit: base,
    mode: 'current-branch',
    subject: 'Validate the signup email',
    specId: 'FEAT-0042',
    verdict: 'accept (score 0.86)',
  });
  if (!applied.ok) throw new Error(applied.error.message);
  return { core, repo, task, applied: applied.value, history: join(core.dataDir, 'keys', 'history.json') };
}

async function show(core: ReturnType<typeof testCore>, options: CommonOptions & { repo: string; key?: string[] }, ref = 'HEAD') {
  const io = memoryIo();
  const ctx = new CommandContext(io, { json: true, ...options }, async () => ok(InProcessClient.over(core)));
  const code = await showProvenance(ctx, ref);
  return { code, shown: io.stdout.length ? (JSON.parse(io.text()) as Shown) : undefined, stderr: io.stderr.join('') };
}

describe('provenance of a commit the production applier made', () => {
  it('verifies with `provenance show` against the installation, and offline from a clean clone with the public key file', async () => {
    const { core, repo, task, applied, history } = await appliedCommit();
    expect(applied.kind).toBe('commit');

    const local = await show(core, { repo });
    expect(local.code, local.stderr).toBe(0);
    expect(local.shown).toMatchObject({ taskId: task.id, spec: 'FEAT-0042', verdict: 'accept (score 0.86)', signature: { status: 'verified' }, task: { id: task.id } });

    // A clean clone: no data folder, only git and the published public key file.
    const clone = tempDir('aa-clone-');
    cleanups.push(clone.cleanup);
    git(clone.dir, 'clone', '-q', repo, 'c');
    const dir = join(clone.dir, 'c');
    const offline = await show(core, { repo: dir, key: [history] });
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.shown!.signature).toMatchObject({ status: 'verified', kid: local.shown!.signature.kid });

    // git-verify-style, with stock git and a JOSE library only.
    git(dir, 'fsck', '--strict');
    const value = (key: string) => git(dir, 'log', '-1', `--format=%(trailers:key=${key},valueonly,unfold)`).trim();
    expect(git(dir, 'log', '-1', '--format=%B').split('\n').filter((l) => /^[A-Za-z-]+: /.test(l)).map((l) => l.split(':')[0])).toEqual(Object.values(TRAILER_KEYS));
    expect(value(TRAILER_KEYS.task)).toBe(task.id);
    const jwks = (JSON.parse(readFileSync(history, 'utf8')) as { keys: { publicJwk: Record<string, string> }[] }).keys;
    const { payload } = await compactVerify(value(TRAILER_KEYS.signature), await importJWK(jwks[0]!.publicJwk, 'EdDSA'), { algorithms: ['EdDSA'] });
    const statement = JSON.parse(new TextDecoder().decode(payload)) as Record<string, string>;
    expect(statement).toMatchObject({
      taskId: value(TRAILER_KEYS.task),
      specId: value(TRAILER_KEYS.spec),
      verdict: value(TRAILER_KEYS.verdict),
      tree: git(dir, 'rev-parse', 'HEAD^{tree}').trim(),
      parent: git(dir, 'rev-parse', 'HEAD^').trim(),
      patchSha256: applied.patchSha256,
    });
  });

  it('reports an edited trailer, swapped content and a foreign key as invalid, exit 1', async () => {
    const { core, repo, history, applied } = await appliedCommit();
    if (applied.kind !== 'commit') throw new Error('expected a commit');
    const message = git(repo, 'log', '-1', '--format=%B');

    // Same trailers on a different tree: the content was swapped under an intact signature.
    writeFileSync(join(repo, 'signup.js'), 'export const validate = () => true;\n');
    git(repo, 'commit', '-q', '-a', '--amend', '-m', message);
    const swapped = await show(core, { repo });
    expect(swapped.code).toBe(1);
    expect(swapped.shown!.signature).toMatchObject({ status: 'invalid', why: expect.stringContaining('tree') });

    git(repo, 'commit', '-q', '--allow-empty', '-m', message.replace('accept (score 0.86)', 'accept (score 0.99)'));
    const edited = await show(core, { repo });
    expect(edited.code).toBe(1);
    expect(edited.shown!.signature).toMatchObject({ status: 'invalid', why: expect.stringContaining('verdict') });

    // Another installation's key does not verify it.
    const other = testCore();
    cleanups.push(() => other.cleanup());
    git(repo, 'reset', '-q', '--hard', applied.commit);
    expect((await show(core, { repo })).code).toBe(0);
    const foreign = await show(core, { repo, key: [join(other.dataDir, 'keys', 'history.json')] });
    expect(foreign.code).toBe(1);
    expect(foreign.shown!.signature.why).toMatch(/no trusted key/);
    expect((await show(core, { repo, key: [history] })).code).toBe(0);
  });
});
