/**
 * Does the retrieval service find the files a task needs? For real commits of a local repository
 * (read at run time), the commit message is the task, the parent tree is indexed (incrementally from
 * commit to commit), and recall@5 / recall@10 of the files the commit changed are measured, beside
 * two baselines in the same run: today's planner repo-context selection (lexical fallback, as without
 * an embedding model) and plain BM25 over whole file contents.
 * With `--embedding-model PATH` (a GGUF file), the index also embeds file chunks with that model and
 * the fused ranking with the vector list is reported beside the one without (same index, same run).
 * Usage: npm run bench:retrieval -- --repo PATH [--commits N] [--embedding-model PATH] [--json]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '../src/main/core/db/open';
import { PLAIN_BM25_MIGRATIONS, searchPlain, upsertPlain } from '../src/main/core/db/queries/retrieval';
import { systemClock } from '../src/main/core/journal/journal';
import { LlamaLoadedModel } from '../src/main/core/models/providers/llama-model';
import { LlamaRuntime } from '../src/main/core/models/providers/llama-runtime';
import type { TextEmbedder } from '../src/main/core/models/text-embedder';
import { silentLogger } from '../src/main/core/observability/logger';
import { gatherRepoContext } from '../src/main/core/planner/repo-context';
import { readGitHistory } from '../src/main/core/retrieval/history';
import { rankFiles } from '../src/main/core/retrieval/rank';
import { RepoIndex, SKIP_PATHS, type IndexSource } from '../src/main/core/retrieval/repo-index';
import { queryTerms } from '../src/main/core/retrieval/words';
import { git, listCommits, parseBenchArgs, ratio, type Commit } from './git-history';

const USAGE = 'usage: npm run bench:retrieval -- --repo PATH [--commits N] [--embedding-model PATH] [--json]';
const TARGET_RECALL_10 = 0.75;

export function treeSource(repo: string, commit: string): IndexSource {
  // History ends at `commit` (the parent of the measured commit): the commit itself and anything
  // later are never read, so the task cannot see its own answer.
  const entries = git(repo, ['ls-tree', '-r', '-z', '--long', commit])
    .split('\0')
    .filter(Boolean)
    .flatMap((line) => {
      const [meta, path] = line.split('\t');
      const [, type, hash, size] = (meta ?? '').trim().split(/\s+/);
      return type === 'blob' && path && Number(size) <= 512 * 1024 ? [{ path, hash: hash! }] : [];
    });
  const byPath = new Map(entries.map((e) => [e.path, e.hash]));
  return {
    files: async () => entries,
    read: async (path) => {
      const hash = byPath.get(path);
      if (!hash) return null;
      const buf = execFileSync('git', ['-C', repo, 'cat-file', 'blob', hash], { maxBuffer: 1024 * 1024 });
      return buf.includes(0) ? null : buf.toString('utf8');
    },
    history: async () => readGitHistory(repo, { rev: commit, isolated: false }),
  };
}

export const recall = (found: readonly string[], wanted: readonly string[], k: number) => ratio(wanted.filter((w) => found.slice(0, k).includes(w)).length, wanted.length);
/**
 * The measured commits, oldest first (so each index update is the small step from one parent to the
 * next): the newest `count` that modify or delete 1–20 indexable files and have a message, which is
 * the task. A file the commit adds is not wanted (no index could hold it).
 */
export function benchCommits(repo: string, count: number): Array<Commit & { task: string; wanted: string[] }> {
  return listCommits(repo, count * 4)
    .map((c) => ({ ...c, task: `${c.subject}\n${c.body}`.trim(), wanted: c.changed.filter((f) => (f.status === 'M' || f.status === 'D') && !SKIP_PATHS.test(f.path)).map((f) => f.path) }))
    .filter((c) => c.wanted.length > 0 && c.wanted.length <= 20 && c.task.length > 0)
    .slice(0, count)
    .reverse();
}

const mean = (xs: readonly number[]) => ratio(xs.reduce((a, b) => a + b, 0), xs.length);

/** `--embedding-model PATH` taken out of the arguments (the rest are the shared bench arguments). */
function embeddingModelArg(argv: string[]): { path?: string; rest: string[] } {
  const at = argv.indexOf('--embedding-model');
  if (at < 0) return { rest: argv };
  const path = argv[at + 1];
  if (!path || path.startsWith('--')) fail(`--embedding-model: a path to a GGUF model file is required\n${USAGE}`);
  if (!existsSync(path)) fail(`--embedding-model: ${resolve(path)} does not exist`);
  return { path: resolve(path), rest: [...argv.slice(0, at), ...argv.slice(at + 2)] };
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

export default async function main(argv: string[]): Promise<void> {
  const embedding = embeddingModelArg(argv);
  const args = parseBenchArgs(embedding.rest, USAGE);
  const logger = silentLogger();
  const work = mkdtempSync(join(tmpdir(), 'bench-retrieval-'));
  // The embedding model, loaded once (1 thread, CPU, as the tests load the tiny model).
  const model = embedding.path
    ? await LlamaLoadedModel.load({ runtime: new LlamaRuntime({ logger, threads: 1, gpu: false }), clock: systemClock, name: 'bench-embedding', path: embedding.path, contextSize: 2048, sequences: 1, memoryBytes: 1 })
    : undefined;
  const embedder: TextEmbedder | undefined = model ? { model: () => 'bench-embedding', embed: (_m, texts, signal) => model.embed(texts, signal ? { signal } : {}) } : undefined;
  // Every commit's tree is embedded whole before it is measured (no per-update budget here).
  const index = new RepoIndex({ file: join(work, 'index.sqlite'), logger, ...(embedder ? { embedder, vectorLimits: { chunksPerUpdate: Number.MAX_SAFE_INTEGER } } : {}) });
  const plain = openDatabase({ file: ':memory:', logger, migrations: PLAIN_BM25_MIGRATIONS });
  const plainHashes = new Map<string, string>();
  const rows: Array<{ ours: [number, number]; vectors: [number, number]; baseline: [number, number]; bm25: [number, number] }> = [];
  let embedFailures = 0;
  try {
    for (const [n, c] of benchCommits(args.repo, args.commits).entries()) {
      const task = c.task;
      const source = treeSource(args.repo, c.parent);
      const stats = await index.update(source);
      if (stats.vectors?.failed) embedFailures++;
      const ours = rankFiles(index.db, task, { limit: 10 }).map((r) => r.path);
      const vector = embedder ? await index.vectors.nearestFiles(task, 50) : undefined;
      const withVectors = vector ? rankFiles(index.db, task, { limit: 10, vector }).map((r) => r.path) : ours;

      // Plain BM25 over whole files (kept up to date by blob hash, like the index).
      const files = (await source.files()).filter((f) => !SKIP_PATHS.test(f.path));
      const live = new Set(files.map((f) => f.path));
      for (const p of [...plainHashes.keys()]) {
        if (live.has(p)) continue;
        upsertPlain(plain, p, null);
        plainHashes.delete(p);
      }
      for (const f of files) {
        if (plainHashes.get(f.path) === f.hash) continue;
        upsertPlain(plain, f.path, await source.read(f.path));
        plainHashes.set(f.path, f.hash);
      }
      const terms = queryTerms(task);
      const bm25 = terms.length ? searchPlain(plain, terms.map((t) => `"${t}"`).join(' OR '), 10) : [];

      // Today's planner selection, on the parent tree checked out to a temporary folder.
      const dir = join(work, `tree-${n}`);
      mkdirSync(dir);
      execFileSync('sh', ['-c', `git -C "$0" archive "$1" | tar -x -C "$2"`, args.repo, c.parent, dir]);
      const context = await gatherRepoContext({
        repoPath: dir,
        description: task,
        client: { embed: async () => Promise.reject(new Error('no embedding model')) },
        logger,
        limits: { relevant: 10 },
      });
      rmSync(dir, { recursive: true, force: true });
      const baseline = context.relevant.map((r) => r.path);
      rows.push({
        ours: [recall(ours, c.wanted, 5), recall(ours, c.wanted, 10)],
        vectors: [recall(withVectors, c.wanted, 5), recall(withVectors, c.wanted, 10)],
        baseline: [recall(baseline, c.wanted, 5), recall(baseline, c.wanted, 10)],
        bm25: [recall(bm25, c.wanted, 5), recall(bm25, c.wanted, 10)],
      });
    }
  } finally {
    index.close();
    plain.close();
    await model?.dispose();
    rmSync(work, { recursive: true, force: true });
  }
  const pair = (k: 'ours' | 'vectors' | 'baseline' | 'bm25') => ({ recall_at_5: mean(rows.map((r) => r[k][0])), recall_at_10: mean(rows.map((r) => r[k][1])) });
  const ours = pair('ours');
  const result = {
    repo: args.repo,
    commits: rows.length,
    ...ours,
    baseline: pair('baseline'),
    bm25: pair('bm25'),
    // The fused ranking with the vector list, from the same index; only with --embedding-model.
    ...(embedding.path ? { vectors: { model: embedding.path, ...pair('vectors'), embed_failures: embedFailures } } : {}),
    target: { recall_at_10_at_least: TARGET_RECALL_10, above_both_baselines: true, met: ours.recall_at_10 >= TARGET_RECALL_10 && ours.recall_at_10 > pair('baseline').recall_at_10 && ours.recall_at_10 > pair('bm25').recall_at_10 },
  };
  if (args.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const f = (x: number) => x.toFixed(2);
  process.stdout.write(
    [
      `bench:retrieval  ${args.repo}  (${rows.length} commits; commit message as the task, parent tree indexed)`,
      `${'ranking'.padEnd(34)}recall@5  recall@10`,
      `${'retrieval service (fused)'.padEnd(34)}${f(ours.recall_at_5).padStart(8)}  ${f(ours.recall_at_10).padStart(9)}   target recall@10 ≥ ${TARGET_RECALL_10} and above both baselines: ${result.target.met ? 'MET' : 'NOT MET'}`,
      `${"today's repo-context (lexical)".padEnd(34)}${f(result.baseline.recall_at_5).padStart(8)}  ${f(result.baseline.recall_at_10).padStart(9)}`,
      `${'plain BM25 over whole files'.padEnd(34)}${f(result.bm25.recall_at_5).padStart(8)}  ${f(result.bm25.recall_at_10).padStart(9)}`,
      ...(result.vectors
        ? [
            `${'retrieval service + vectors'.padEnd(34)}${f(result.vectors.recall_at_5).padStart(8)}  ${f(result.vectors.recall_at_10).padStart(9)}   embedding model ${result.vectors.model}${embedFailures ? ` (embedding failed at ${embedFailures} commits)` : ''}`,
          ]
        : []),
      '',
    ].join('\n'),
  );
}
