/**
 * LONG TEST (about a minute): the engine in a child process, killed with SIGKILL at random
 * moments at least 50 times and restarted each time, must end every task exactly as an
 * uninterrupted run does, apply no step effect twice, and lose or duplicate no event.
 * `CRASH_SEED=<n>` replays a run's kill schedule.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../../../..');
const node = existsSync(join(root, 'node_modules/.bin/node')) ? join(root, 'node_modules/.bin/node') : process.execPath;
// Inside node_modules so the bundle's bare imports (better-sqlite3, zod, pino) resolve.
const outDir = join(root, 'node_modules', '.cache', `engine-crash-${process.pid}`);
const childFile = join(outDir, 'crash-child.mjs');
const MIN_KILLS = 50;
const MAX_SLEEP_MS = '30';

let work: string;

beforeAll(async () => {
  await build({
    configFile: false,
    logLevel: 'warn',
    root,
    build: {
      ssr: join(root, 'src/main/core/engine/testing/crash-child.ts'),
      outDir,
      emptyOutDir: true,
      minify: false,
      target: 'node22',
      rollupOptions: { output: { entryFileNames: 'crash-child.mjs', format: 'es' } },
    },
  });
  work = mkdtempSync(join(tmpdir(), 'aa-crash-'));
}, 60_000);

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Small seeded generator, so a failing kill schedule can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Life = { outcome: 'killed' | 'done'; ready: boolean; stderr: string };

/** Runs the child once; kills it `killAfter` ms after start (or after READY), unless it finishes first. */
function live(dataDir: string, tasks: number, kill: { afterReady: boolean; ms: number } | undefined, timeoutMs = 60_000): Promise<Life> {
  return new Promise((done, fail) => {
    const child = spawn(node, [childFile, dataDir, String(tasks), MAX_SLEEP_MS], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    let ready = false;
    let killed = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const killNow = () => {
      if (child.exitCode === null && !killed) {
        killed = true;
        child.kill('SIGKILL');
      }
    };
    const guard = setTimeout(() => {
      killNow();
      fail(new Error(`child did not finish in ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    if (kill && !kill.afterReady) timer = setTimeout(killNow, kill.ms);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!ready && out.includes('READY')) {
        ready = true;
        if (kill?.afterReady) timer = setTimeout(killNow, kill.ms);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      clearTimeout(timer);
      if (out.includes('DONE') && code === 0) return done({ outcome: 'done', ready, stderr });
      if (killed && signal === 'SIGKILL') return done({ outcome: 'killed', ready, stderr });
      fail(new Error(`child exited with ${code ?? signal}: ${stderr}`));
    });
  });
}

type Snapshot = {
  finalStates: Map<string, string>;
  dbEffects: Map<string, string[]>;
  fileEffects: Map<string, string[]>;
  logical: Map<string, string[]>;
  driverCommands: Map<string, string[]>;
};

type EventRow = { seq: number; task_id: string; task_seq: number; type: string; payload: string; idempotency_key: string };

/** Reads a finished run, checking the journal's own invariants on the way; names tasks by description. */
function inspect(dataDir: string): Snapshot {
  const db = new Database(join(dataDir, 'engine.db'), { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const tasks = db.prepare('SELECT id, description, state_json FROM tasks').all() as { id: string; description: string; state_json: string }[];
    const name = new Map(tasks.map((t) => [t.id, t.description]));
    const events = db.prepare('SELECT seq, task_id, task_seq, type, payload, idempotency_key FROM events ORDER BY seq').all() as EventRow[];

    // No event lost: the global sequence and every task's sequence are gap-free.
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const byTask = new Map<string, EventRow[]>();
    for (const e of events) byTask.set(e.task_id, [...(byTask.get(e.task_id) ?? []), e]);

    const finalStates = new Map<string, string>();
    const logical = new Map<string, string[]>();
    const driverCommands = new Map<string, string[]>();
    for (const t of tasks) {
      const own = byTask.get(t.id) ?? [];
      expect(own.map((e) => e.task_seq)).toEqual(own.map((_, i) => i + 1));
      // The state chain is unbroken from queued to the state the tasks table shows.
      let state: unknown = { kind: 'queued' };
      for (const e of own.filter((x) => x.type === 'task.state')) {
        const p = JSON.parse(e.payload) as { from: unknown; to: unknown };
        expect(p.from).toEqual(state);
        state = p.to;
      }
      expect(state).toEqual(JSON.parse(t.state_json));
      finalStates.set(t.description, t.state_json);

      // No effect journaled twice, and each applied one was journaled as intended first (or atomically).
      const effects = own.filter((e) => e.type === 'step.effect').map((e) => JSON.parse(e.payload) as { key: string; status: string });
      const seen = new Set<string>();
      for (const fx of effects) {
        const id = `${fx.key}:${fx.status}`;
        expect(seen.has(id), `${t.description}: ${id} journaled twice`).toBe(false);
        seen.add(id);
      }
      logical.set(t.description, own.flatMap((e) => logicalEntry(e)));
      driverCommands.set(
        t.description,
        own.filter((e) => ['task.paused', 'task.resumed', 'task.guidance', 'task.modified', 'task.cancelled'].includes(e.type) && e.payload.includes('crash-driver')).map((e) => e.type),
      );
    }
    expect(db.prepare("SELECT COUNT(*) AS n FROM step_runs WHERE status = 'started'").get()).toEqual({ n: 0 });

    const dbEffects = new Map<string, string[]>();
    for (const row of db.prepare('SELECT task_id, key FROM crash_effects ORDER BY id').all() as { task_id: string; key: string }[]) {
      const list = dbEffects.get(name.get(row.task_id)!) ?? [];
      list.push(row.key);
      dbEffects.set(name.get(row.task_id)!, list);
    }
    const fileEffects = new Map<string, string[]>();
    const lines = readFileSync(join(dataDir, 'effects.log'), 'utf8').split('\n').filter(Boolean);
    const intents = new Set(events.filter((e) => e.type === 'step.effect').map((e) => `${e.task_id}:${(JSON.parse(e.payload) as { key: string }).key}`));
    for (const line of lines) {
      // Journal first: every effect that reached the file had been journaled before.
      expect(intents.has(line), `${line} applied without a journal record`).toBe(true);
      const taskId = line.slice(0, line.indexOf(':'));
      const list = fileEffects.get(name.get(taskId)!) ?? [];
      list.push(line.slice(line.indexOf(':') + 1));
      fileEffects.set(name.get(taskId)!, list);
    }
    return { finalStates, dbEffects, fileEffects, logical, driverCommands };
  } finally {
    db.close();
  }
}

/** The events whose order a crash must not change (attempts, retries and recoveries may differ). */
function logicalEntry(e: EventRow): string[] {
  const p = JSON.parse(e.payload) as Record<string, unknown>;
  switch (e.type) {
    case 'task.state': {
      const from = (p['from'] as { kind: string }).kind;
      const to = (p['to'] as { kind: string }).kind;
      // A pause and its resume come back to where they left; their timing is the driver's.
      return from === 'paused' || to === 'paused' ? [] : [`state ${from}>${to}`];
    }
    case 'phase.completed':
      return [`completed ${String(p['phase'])}`];
    case 'step.effect':
      return [`effect ${String(p['key'])} ${String(p['status'])}`];
    case 'artifact.produced':
      return [`artifact ${String(p['name'])}`];
    case 'approval.requested':
    case 'approval.granted':
      return [`${e.type} ${String(p['gate'])}`];
    case 'council.overridden':
    case 'task.completed':
    case 'task.failed':
    case 'task.cleanup':
      return [`${e.type} ${JSON.stringify(p['reason'] ?? p['status'] ?? '')}`];
    case 'task.guidance':
      return (p['actor'] as { via: string }).via === 'system' ? [`guidance ${String(p['text'])}`] : [];
    default:
      return [];
  }
}

describe('crash recovery (long test)', () => {
  it(`survives ${MIN_KILLS}+ SIGKILLs: same final states, no effect twice, no event lost or duplicated`, async () => {
    const seed = Number(process.env['CRASH_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
    const random = mulberry32(seed);
    const killedDir = join(work, 'killed');
    let tasks = 48;
    let kills = 0;
    let killsBeforeReady = 0;
    let lives = 0;
    while (kills < MIN_KILLS) {
      lives++;
      // Most kills land while steps run; some during start-up and recovery.
      const early = random() < 0.2;
      const kill = early ? { afterReady: false, ms: Math.floor(random() * 250) } : { afterReady: true, ms: Math.floor(random() * 250) };
      const life = await live(killedDir, tasks, kill);
      if (life.outcome === 'killed') {
        kills++;
        if (!life.ready) killsBeforeReady++;
      } else {
        // Finished before enough kills: give it more work (new tasks join the same batch).
        tasks += 24;
      }
    }
    const last = await live(killedDir, tasks, undefined);
    expect(last.outcome).toBe('done');

    const referenceDir = join(work, 'reference');
    expect((await live(referenceDir, tasks, undefined)).outcome).toBe('done');

    const context = `seed ${seed}, ${tasks} tasks, ${lives + 1} lives, ${kills} kills (${killsBeforeReady} before ready)`;
    const killed = inspect(killedDir);
    const reference = inspect(referenceDir);
    expect(killed.finalStates.size, context).toBe(tasks);
    expect(Object.fromEntries(killed.finalStates), context).toEqual(Object.fromEntries(reference.finalStates));
    expect(Object.fromEntries(killed.dbEffects), context).toEqual(Object.fromEntries(reference.dbEffects));
    expect(Object.fromEntries(killed.fileEffects), context).toEqual(Object.fromEntries(reference.fileEffects));
    expect(Object.fromEntries(killed.logical), context).toEqual(Object.fromEntries(reference.logical));
    expect(Object.fromEntries(killed.driverCommands), context).toEqual(Object.fromEntries(reference.driverCommands));
    // Each effect key once per task: nothing applied twice.
    for (const [task, keys] of [...killed.dbEffects, ...killed.fileEffects]) expect(new Set(keys).size, `${task} (${context})`).toBe(keys.length);
    // The batch exercised every ending the scripts can produce.
    const kinds = new Set([...killed.finalStates.values()].map((s) => (JSON.parse(s) as { kind: string }).kind));
    expect([...kinds].sort()).toEqual(['cancelled', 'completed', 'failed']);
    expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
  }, 180_000);
});
