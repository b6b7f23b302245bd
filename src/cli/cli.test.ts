import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers';
import { createCore } from '../main/core/composition/app-core';
import { silentLogger } from '../main/core/observability/logger';
import { ensureTestModel } from '../main/core/models/testing/test-model';
import { ChangeApplier } from '../main/core/apply/apply-change';
import { sha256 } from '../main/core/workspace/hash';

/**
 * The built command line (out/main/cli.js through bin/agent-agency.js), run as a user runs it,
 * against a fixture git repository: first with the core in-process, then against `serve`.
 *
 * A long test, on purpose: every case starts real processes (about 1 s each on an idle machine;
 * most of it is loading the core), so the file takes a minute or two. It is bounded: no case waits
 * on anything but the processes it starts.
 */

const root = resolve(__dirname, '../..');
const node = join(root, 'node_modules/.bin/node');
const bin = join(root, 'bin/agent-agency.js');
const cliJs = join(root, 'out/main/cli.js');

/** Newest modification time under a folder (the sources the CLI is built from). */
function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, name.name);
    if (name.isDirectory()) t = Math.max(t, newest(p));
    else if (/\.tsx?$/.test(name.name) && !name.name.endsWith('.test.ts')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

type Run = { code: number | null; stdout: string; stderr: string };

let data: ReturnType<typeof tempDir>;
let repo: ReturnType<typeof tempDir>;
let env: NodeJS.ProcessEnv;

function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(node, [bin, ...args], { cwd: repo.dir, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const json = <T>(r: Run): T => JSON.parse(r.stdout) as T;

function git(...args: string[]): string {
  const r = spawnSync('git', args, { cwd: repo.dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const GOOD_SPEC = `id: FEAT-0042
title: Validate the signup form input
risk_tier: 2
mode: feature
lifecycle_state: draft
blast_radius:
  modules: [signup]
  data_migration: false
scope:
  in: [src/signup/]
invariants:
  - Existing accounts can still sign in
acceptance:
  - id: A1
    given: an empty email
    when: the form is submitted
    then: the email field shows an error
non_functional: {}
contracts:
  - name: signup form
    type: behavior
`;

const BAD_SPEC = `id: feat-42
title: Hi
risk_tier: 7
mode: feature
lifecycle_state: draft
blast_radius:
  modules: [signup]
  data_migration: false
scope:
  in: []
invariants: [keep it working]
acceptance:
  - id: B1
    given: x
    when: y
    then: z
non_functional: {}
contracts: []
change_budget: 10
`;

beforeAll(() => {
  // The tests run the real bundle; rebuild it when a source is newer than it.
  if (!existsSync(cliJs) || newest(join(root, 'src')) > statSync(cliJs).mtimeMs) {
    const r = spawnSync(join(root, 'node_modules/.bin/electron-vite'), ['build'], { cwd: root, encoding: 'utf8', env: { ...process.env } });
    if (r.status !== 0) throw new Error(`electron-vite build failed:\n${r.stdout}\n${r.stderr}`);
  }
  data = tempDir('aa-cli-data-');
  repo = tempDir('aa-cli-repo-');
  env = { ...process.env, AGENT_AGENCY_DATA_DIR: data.dir, AGENT_AGENCY_LOG_LEVEL: 'error' };
  delete env['AGENT_AGENCY_URL'];
  delete env['AGENT_AGENCY_TOKEN'];
  writeFileSync(join(repo.dir, 'signup.js'), 'export const validate = () => true;\n');
  git('init', '-q', '-b', 'main');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'add', '.');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', 'init');
}, 120_000);

afterAll(() => {
  data?.cleanup();
  repo?.cleanup();
});

describe('the built CLI with the core in-process', () => {
  it('loads node-llama-cpp only when a local model is used, not to start (its import alone costs about 0.3 s)', () => {
    const files = readdirSync(join(root, 'out/main'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    expect(files.length).toBeGreaterThan(1);
    for (const f of files) {
      const text = readFileSync(join(root, 'out/main', f), 'utf8');
      expect(text, f).not.toMatch(/from\s*["']node-llama-cpp["']|require\(["']node-llama-cpp["']\)/);
    }
  });

  it('shows --help with the exit codes for every command and subcommand', async () => {
    // One of each kind: the program, commands, subcommands of each group.
    const commands = [[], ['execute'], ['tasks', 'show'], ['intervene'], ['deny'], ['waiver', 'create'], ['spec', 'validate'], ['models', 'assign'], ['provenance', 'show'], ['status']];
    const runs = await Promise.all(commands.map((c) => cli([...c, '--help'])));
    runs.forEach((r, i) => {
      expect(r.code, commands[i]!.join(' ')).toBe(0);
      expect(r.stdout, commands[i]!.join(' ')).toContain('Exit codes:');
    });
    expect(runs[1]!.stdout).toContain('--max-iterations');
    const nothing = await cli(['frobnicate']);
    expect(nothing.code).toBe(2);
    // Ten CLIs start at once, each loading the whole bundle (~0.6 s of module loading alone): on a
    // busy 2-core machine that outlasts the default timeout without anything being wrong.
  }, 120_000);

  it('executes a dry-run in-process to its end: with no model assigned it fails at planning, saying why; the repository is untouched', async () => {
    const before = readFileSync(join(repo.dir, 'signup.js'), 'utf8');
    const r = await cli(['execute', 'Add input validation to the signup form', '--repo', repo.dir, '--mode', 'dry-run', '--tier', '2', '--max-iterations', '3', '--json']);
    expect(r.code, r.stderr).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type?: string; task?: { mode: string; riskTier: number; maxIterations: number; state: { kind: string; reason?: string } } });
    expect(lines[0]).toMatchObject({ type: 'task.created' });
    expect(lines.some((l) => l.type === 'phase.started')).toBe(true);
    expect(lines.at(-1)!.task).toMatchObject({ mode: 'dry-run', riskTier: 2, maxIterations: 3, state: { kind: 'failed', reason: expect.stringContaining('no model is assigned to the planner role') } });
    expect(readFileSync(join(repo.dir, 'signup.js'), 'utf8')).toBe(before);
    expect(git('status', '--porcelain', '--untracked-files=no')).toBe('');
    // The engine lock is released when the command ends.
    expect(existsSync(join(data.dir, 'engine.lock'))).toBe(false);
  });

  it('refuses bad flags naming each one, with exit 2', async () => {
    const r = await cli(['execute', 'Bad flags here', '--tier', '7', '--mode', 'yolo', '--max-iterations', 'many']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--tier');
    expect(r.stderr).toContain('--mode');
    expect(r.stderr).toContain('--max-iterations');
    const missing = await cli(['execute', 'Nowhere to work', '--repo', join(repo.dir, 'missing')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--repo');
  });

  it('lists and shows tasks as JSON; unknown ids exit 3, malformed ones exit 2', async () => {
    const list = await cli(['tasks', 'list', '--json']);
    expect(list.code).toBe(0);
    const tasks = json<{ id: string; description: string }[]>(list);
    expect(tasks.map((t) => t.description)).toEqual(['Add input validation to the signup form']);
    const [failed, completed] = await Promise.all([cli(['tasks', 'list', '--state', 'failed', '--json']), cli(['tasks', 'list', '--state', 'completed', 'queued', '--json'])]);
    expect(json<unknown[]>(failed)).toHaveLength(1);
    expect(json<unknown[]>(completed)).toEqual([]);
    const id = tasks[0]!.id;
    const show = await cli(['tasks', 'show', id, '--json']);
    expect(show.code).toBe(0);
    const shown = json<{ task: { id: string }; events: { type: string }[] }>(show);
    expect(shown.task.id).toBe(id);
    expect(shown.events[0]!.type).toBe('task.created');
    expect(shown.events.map((e) => e.type)).toContain('task.failed');
    const text = await cli(['tasks', 'show', id]);
    expect(text.stdout).toContain(`Task      ${id}`);
    expect(text.stdout).toContain('task created');
    expect((await cli(['tasks', 'show', 'tsk_0000000000zz'])).code).toBe(3);
    const bad = await cli(['tasks', 'show', 'nope', '--json']);
    expect(bad.code).toBe(2);
    expect(json<{ error: { issues: { path: string }[] } }>(bad).error.issues[0]!.path).toBe('<id>');
  });

  it('intervene: a finished task refuses (exit 5); usage is checked (exit 2); one engine per data folder (exit 4)', async () => {
    const id = json<{ id: string }[]>(await cli(['tasks', 'list', '--json']))[0]!.id;
    const pause = await cli(['intervene', id, 'pause']);
    expect(pause.code, pause.stderr).toBe(5);
    expect((await cli(['intervene', id, 'dance'])).code).toBe(2);
    expect((await cli(['intervene', id, 'guide'])).code).toBe(2);
    const override = await cli(['intervene', id, 'override', 'accept']);
    expect(override.code).toBe(2);
    expect(override.stderr).toContain('--reason');
    expect((await cli(['deny', id])).code).toBe(2); // --reason is required
    // While another live process runs the engine here, a second engine is refused.
    writeFileSync(join(data.dir, 'engine.lock'), JSON.stringify({ pid: process.pid, command: 'agent-agency execute', since: Date.now() }));
    try {
      const locked = await cli(['intervene', id, 'pause']);
      expect(locked.code).toBe(4);
      expect(locked.stderr).toContain(`pid ${process.pid}`);
    } finally {
      rmSync(join(data.dir, 'engine.lock'), { force: true });
    }
  });

  it('spec validate: exit 0 for a good spec, 1 naming each bad field, 3 for a missing file', async () => {
    const good = join(repo.dir, 'good.yaml');
    const bad = join(repo.dir, 'bad.yaml');
    writeFileSync(good, GOOD_SPEC);
    writeFileSync(bad, BAD_SPEC);
    const ok = await cli(['spec', 'validate', good]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('FEAT-0042');
    const r = await cli(['spec', 'validate', bad]);
    expect(r.code).toBe(1);
    // A two-letter title is valid CAWS (spec.v1 sets no minimum); the rest are not.
    for (const path of ['id:', 'risk_tier:', 'scope.in:', 'acceptance[0].id:', 'change_budget:']) expect(r.stdout).toContain(`  ${path}`);
    const asJson = json<{ valid: boolean; issues: { path: string }[] }>(await cli(['spec', 'validate', bad, '--json']));
    expect(asJson.valid).toBe(false);
    expect(asJson.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['id', 'risk_tier', 'acceptance[0].id']));
    expect((await cli(['spec', 'validate', join(repo.dir, 'none.yaml')])).code).toBe(3);
  });

  it('spec init writes a spec that validates, and refuses to overwrite without --force', async () => {
    const r = await cli(['spec', 'init', '--title', 'Validate signup input', '--tier', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { file } = json<{ file: string }>(r);
    expect(file).toBe(join(repo.dir, '.caws/specs/FEAT-0001.yaml'));
    expect((await cli(['spec', 'validate', file])).code).toBe(0);
    expect((await cli(['spec', 'init', '--id', 'FEAT-0001'])).code).toBe(5);
    expect((await cli(['spec', 'init', '--id', 'FEAT-0001', '--force'])).code).toBe(0);
    expect(json<{ file: string }>(await cli(['spec', 'init', '--json'])).file).toMatch(/FEAT-0002\.yaml$/);
  });

  it('waivers: create, list, approve, revoke; bad flags are named', async () => {
    const created = await cli(['waiver', 'create', '--title', 'Wider budget for the migration', '--gates', 'budget,scope', '--reason', 'the schema change touches many files', '--expires', '3d', '--all-specs', '--by', 'ana', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const { id } = json<{ id: string; status: string }>(created);
    expect(json<{ status: string }>(created).status).toBe('pending');
    // A person other than its creator approves it.
    const [list, approved] = [await cli(['waiver', 'list', '--json']), await cli(['waiver', 'approve', id, '--by', 'ben', '--json'])];
    expect(json<{ id: string }[]>(list).map((w) => w.id)).toContain(id);
    expect(json<{ status: string }>(approved).status).toBe('active');
    const revoked = await cli(['waiver', 'revoke', id, '--reason', 'migration done', '--json']);
    expect(json<{ status: string }>(revoked).status).toBe('revoked');
    const bad = await cli(['waiver', 'create', '--title', 'x', '--gates', 'speed', '--reason', 'short', '--expires', 'never']);
    expect(bad.code).toBe(2);
    for (const flag of ['--title', '--gates[0]', '--reason', '--expires']) expect(bad.stderr).toContain(flag);
    expect((await cli(['waiver', 'approve', 'WV-9999'])).code).toBe(3);
  });

  it('models: lists the registry; unknown files and models exit 3, bad names exit 2', async () => {
    const list = await cli(['models', 'list', '--json']);
    expect(list.code).toBe(0);
    expect(json<{ models: unknown[]; machine: { totalBytes: number } }>(list)).toMatchObject({ models: [], machine: { totalBytes: expect.any(Number) } });
    const [add, assign, load, badName] = await Promise.all([
      cli(['models', 'add', 'nope.gguf']),
      cli(['models', 'assign', 'planner', 'ghost']),
      cli(['models', 'load', 'ghost']),
      cli(['models', 'load', 'bad name!']),
    ]);
    expect(add.code).toBe(3);
    expect(add.stderr).toContain('nope.gguf');
    expect(assign.code).toBe(3);
    expect(load.code).toBe(3);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain('<model>');
  });

  it('provenance show: reads the trailers of an applied commit and checks their signature', async () => {
    const taskId = json<{ id: string }[]>(await cli(['tasks', 'list', '--json']))[0]!.id;
    // Apply a change with the production applier and the installation's key (same data folder).
    const base = git('rev-parse', 'HEAD').trim();
    writeFileSync(join(repo.dir, 'signup.js'), 'export const validate = (email) => email.length > 0;\n');
    const patch = git('diff');
    git('checkout', '-q', '--', 'signup.js');
    const core = createCore({ dataDir: data.dir, logger: silentLogger(), scheduler: { autoStart: false } });
    try {
      const applier = new ChangeApplier({ logger: silentLogger(), sign: (statement) => core.provenance.sign(statement) });
      const applied = await applier.apply({
        taskId, targetPath: repo.dir, patch, expectedSha256: sha256(patch), baseCommit: base, mode: 'current-branch',
        subject: 'Validate the signup form input', specId: 'FEAT-0042', verdict: 'accept (score 0.91)',
      });
      expect(applied.ok).toBe(true);
    } finally {
      core.close();
    }
    const message = git('log', '-1', '--format=%B');
    const shown = await cli(['provenance', 'show', 'HEAD', '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(json<{ taskId: string; signature: { status: string }; task: { id: string } }>(shown)).toMatchObject({ taskId, signature: { status: 'verified' }, task: { id: taskId } });
    const human = await cli(['provenance', 'show', git('rev-parse', 'HEAD').trim().slice(0, 8)]);
    expect(human.stdout).toMatch(/Signature\s+verified, key /);

    // Someone edits the verdict trailer: the signature no longer covers what it says.
    git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', message.replace('accept (score 0.91)', 'accept (score 0.99)'));
    const forged = await cli(['provenance', 'show', 'HEAD', '--json']);
    expect(forged.code).toBe(1);
    expect(json<{ signature: { status: string; why: string } }>(forged).signature).toMatchObject({ status: 'invalid', why: expect.stringContaining('verdict') });
    git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'a commit of our own');
    expect((await cli(['provenance', 'show', 'HEAD'])).code).toBe(3);
  });

  it('status reports the in-process core; --remote without an instance exits 4', async () => {
    const s = await cli(['status', '--json']);
    expect(s.code).toBe(0);
    expect(json<{ instance: unknown; via: string; runsTasks: boolean }>(s)).toMatchObject({ instance: null, via: 'in-process', runsTasks: false });
    const remote = await cli(['tasks', 'list', '--remote']);
    expect(remote.code).toBe(4);
    expect(remote.stderr).toContain('no running instance');
  });
});

describe('the built CLI against a running serve', () => {
  let server: ChildProcess;
  let url = '';
  let token = '';

  beforeAll(async () => {
    server = spawn(node, [bin, 'serve', '--port', '0', '--json'], { cwd: repo.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    url = await new Promise<string>((done, fail) => {
      let out = '';
      server.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n')[0];
        if (!out.includes('\n') || !line) return;
        const first = JSON.parse(line) as { url: string; token: string };
        token = first.token;
        done(first.url);
      });
      server.on('exit', (code) => fail(new Error(`serve exited with ${code}`)));
    });
  }, 60_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
  });

  it('finds the instance through the data folder and drives it over the REST API', async () => {
    const s = json<{ instance: { url: string }; via: string }>(await cli(['status', '--json']));
    expect(s).toMatchObject({ instance: { url }, via: 'remote' });
    const r = await cli(['execute', 'Remote dry-run of the signup form', '--repo', repo.dir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const task = json<{ id: string; state: { kind: string } }>(r);
    expect(task.state.kind).toBe('queued');
    const list = json<{ id: string }[]>(await cli(['tasks', 'list', '--json', '--remote']));
    expect(list.map((t) => t.id)).toContain(task.id);
    const show = json<{ task: { id: string } }>(await cli(['tasks', 'show', task.id, '--json', '--remote']));
    expect(show.task.id).toBe(task.id);
    expect((await cli(['tasks', 'show', 'tsk_0000000000zz', '--remote'])).code).toBe(3);
  });

  it('runs a dry-run on the instance with the tiny test model, watched live over SSE and steered from another process', async () => {
    const model = await ensureTestModel();
    expect((await cli(['models', 'add', model, '--name', 'tiny', '--remote'])).code).toBe(0);
    for (const role of ['planner', 'worker', 'judge.constitutional', 'judge.technical', 'judge.quality', 'judge.integration']) {
      expect((await cli(['models', 'assign', role, 'tiny', '--remote'])).code).toBe(0);
    }
    const before = readFileSync(join(repo.dir, 'signup.js'), 'utf8');
    const child = spawn(node, [bin, 'execute', 'Validate the email field of the signup form', '--repo', repo.dir, '--max-iterations', '1', '--watch', '--json', '--remote'], {
      cwd: repo.dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('close', r));
    let done = false;
    void exited.then(() => (done = true));
    // Whatever the random-weight model says, the task must end: any approval it asks for is denied
    // from a second process, as a person at another terminal would.
    const denied: string[] = [];
    const deadline = Date.now() + 150_000;
    while (!done && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      const first = out.split('\n')[0];
      if (!first) continue;
      const id = (JSON.parse(first) as { taskId: string }).taskId;
      const now = json<{ task: { state: { kind: string; waitingFor?: string } } }>(await cli(['tasks', 'show', id, '--json', '--remote']));
      if (now.task.state.kind === 'awaiting_approval') {
        const d = await cli(['deny', id, '--reason', 'stopping the test run', '--remote']);
        if (d.code === 0) denied.push(now.task.state.waitingFor ?? '');
      }
    }
    if (!done) child.kill('SIGTERM');
    const code = await exited;
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { type?: string; task?: { state: { kind: string; reason?: string } } });
    const final = lines.at(-1)!.task!;
    expect(['completed', 'failed', 'cancelled']).toContain(final.state.kind);
    expect(code).toBe(final.state.kind === 'completed' ? 0 : 1);
    // A task that did not complete says why.
    if (final.state.kind === 'failed') expect(final.state.reason ?? '').not.toBe('');
    const types = new Set(lines.map((l) => l.type));
    // The random-weight model's plans no longer pass the planner's checks, so it may stop inside the
    // planning phase: the events of a task that started work, and an end with its reason, must be there.
    for (const t of ['task.created', 'task.state', 'phase.started']) expect(types).toContain(t);
    if (denied.length > 0) expect(types).toContain('approval.denied');
    const seqs = lines.filter((l) => l.type).map((l) => (l as unknown as { seq: number }).seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // A dry-run never touches the target repository.
    expect(readFileSync(join(repo.dir, 'signup.js'), 'utf8')).toBe(before);
    expect(git('status', '--porcelain', '--untracked-files=no')).toBe('');
  }, 180_000);

  it('tunes a model through the running instance: its one-run rule, its store, and the figures as JSON', async () => {
    const model = await ensureTestModel();
    await cli(['models', 'add', model, '--name', 'tiny', '--remote']); // already there when the dry-run case ran first
    const bad = await cli(['models', 'tune', 'tiny', '--budget', '2', '--remote']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--budget: must be a whole number from 3 to 60/);
    // While the app tunes the model (the Models page's Tune), the command line is refused, not run beside it.
    const started = await fetch(`${url}/api/v1/models/tiny/tune`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"budget":3}' });
    expect(started.status).toBe(202);
    const busy = await cli(['models', 'tune', 'tiny', '--budget', '3', '--remote']);
    expect(busy.code).not.toBe(0);
    expect(busy.stderr).toMatch(/tiny is being tuned/);
    await fetch(`${url}/api/v1/models/tiny/tune/cancel`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    const appRun = async () => ((await (await fetch(`${url}/api/v1/models/tiny/tune`, { headers: { authorization: `Bearer ${token}` } })).json()) as { value: { state: string; bestTps: number } }).value;
    await expect.poll(async () => (await appRun()).state, { timeout: 60_000 }).toBe('cancelled');

    const r = await cli(['models', 'tune', 'tiny', '--budget', '3', '--json', '--remote']);
    expect(r.code, r.stderr).toBe(0);
    const out = json<{ default_tps: number; best_tps: number; gain: number; best: { threads: number } | null; trials: { n: number; status: string }[] }>(r);
    expect(out.trials).toHaveLength(3);
    expect(out.default_tps).toBeGreaterThan(0);
    expect(out.best_tps).toBeGreaterThanOrEqual(out.default_tps * 0.5);
    expect(out.gain).toBeCloseTo(out.best_tps / out.default_tps);
    expect(out.best).not.toBeNull();
    // The run is the app's: the instance reports the same completed run.
    expect(await appRun()).toMatchObject({ state: 'completed', bestTps: out.best_tps });
  }, 180_000);

  it('exits 6 when the instance refuses the token', async () => {
    const r = await cli(['tasks', 'list'], { AGENT_AGENCY_URL: url, AGENT_AGENCY_TOKEN: 'wrong-token' });
    expect(r.code).toBe(6);
  });
});
