/**
 * Quitting the app while a step runs is not a crash: a real process running the core is quit with
 * SIGTERM mid-step twice (the crash-loop limit is one restart) and the task is not failed, nothing
 * is counted, nothing is "recovered". The same process killed with SIGKILL mid-step is counted,
 * and two kills in a row fail the task as a crash loop.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../../../..');
const node = existsSync(join(root, 'node_modules/.bin/node')) ? join(root, 'node_modules/.bin/node') : process.execPath;
const outDir = join(root, 'node_modules', '.cache', `engine-quit-${process.pid}`);
const childFile = join(outDir, 'quit-child.mjs');
let work: string;

beforeAll(async () => {
  await build({
    configFile: false,
    logLevel: 'warn',
    root,
    build: {
      ssr: join(root, 'src/main/core/engine/testing/quit-child.ts'),
      outDir,
      emptyOutDir: true,
      minify: false,
      target: 'node22',
      rollupOptions: { output: { entryFileNames: 'quit-child.mjs', format: 'es' } },
    },
  });
  work = mkdtempSync(join(tmpdir(), 'aa-quit-'));
}, 120_000);

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Starts the child; once it prints READY sends `signal` and resolves with how it ended; in finish mode resolves with DONE's state. */
function life(dataDir: string, repo: string, mode: 'hold' | 'finish', signal?: 'SIGTERM' | 'SIGKILL'): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((done, fail) => {
    const child = spawn(node, [childFile, dataDir, repo, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let sent = false;
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`child did not end in time: ${out} ${err}`));
    }, 60_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (signal && !sent && out.includes('READY')) {
        sent = true;
        child.kill(signal);
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code, sig) => {
      clearTimeout(guard);
      done({ code, signal: sig, out });
    });
  });
}

type Counts = { interruptions: number; recovered: number; runs: string[]; state: string };

function counts(dataDir: string): Counts {
  const db = new Database(join(dataDir, 'agent-agency.db'), { readonly: true, fileMustExist: false });
  try {
    const rt = db.prepare('SELECT interruptions FROM task_runtime').get() as { interruptions: number };
    const recovered = db.prepare("SELECT COUNT(*) AS n FROM events WHERE type = 'task.recovered'").get() as { n: number };
    const runs = db.prepare("SELECT status FROM step_runs WHERE phase = 'executing' ORDER BY id").all() as { status: string }[];
    const task = db.prepare('SELECT state_kind FROM tasks').get() as { state_kind: string };
    return { interruptions: rt.interruptions, recovered: recovered.n, runs: runs.map((r) => r.status), state: task.state_kind };
  } finally {
    db.close();
  }
}

describe('quit versus crash (real process)', () => {
  it('a clean quit mid-step is not counted toward the crash-loop limit; a SIGKILL is', async () => {
    const dataDir = join(work, 'data');
    const repo = join(work, 'repo');
    mkdirSync(repo, { recursive: true });
    execFileSync('git', ['init', '-q'], { cwd: repo });

    for (let i = 0; i < 2; i++) {
      const quit = await life(dataDir, repo, 'hold', 'SIGTERM');
      expect(quit, quit.out).toMatchObject({ code: 0, signal: null });
    }
    // Two quits with a limit of one restart: nothing counted, nothing recovered, the task still runs.
    expect(counts(dataDir)).toEqual({ interruptions: 0, recovered: 0, runs: ['aborted', 'aborted'], state: 'executing' });

    const killed = await life(dataDir, repo, 'hold', 'SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    // The next life recovers the killed attempt (counted once), then is killed in turn.
    const killedAgain = await life(dataDir, repo, 'hold', 'SIGKILL');
    expect(killedAgain.signal).toBe('SIGKILL');
    expect(counts(dataDir)).toMatchObject({ interruptions: 1, recovered: 1, runs: ['aborted', 'aborted', 'interrupted', 'started'] });

    // Second unclean interruption in a row: past the limit, the task fails instead of crash-looping.
    const last = await life(dataDir, repo, 'finish');
    expect(last.out).toContain('DONE');
    expect(last.out).toContain('restarts in a row');
    expect(counts(dataDir)).toMatchObject({ interruptions: 2, recovered: 2, state: 'failed' });
  }, 240_000);
});
