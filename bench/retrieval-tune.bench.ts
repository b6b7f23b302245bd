/**
 * Chooses the ranking's weights and tuning (rank.ts) the way they were chosen: runs bench:retrieval's
 * commits once, and at each commit ranks with every configuration given, so a grid costs one indexing
 * pass. Prints recall@5 / recall@10 per configuration, best recall@10 first.
 * Usage: npx node bench/run-ts.mjs bench/retrieval-tune.bench.ts --repo PATH [--commits N] [--json] < configs.json
 * where configs.json is [{"name": "...", "weights": {...}, "tuning": {...}}, ...].
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { silentLogger } from '../src/main/core/observability/logger';
import { rankFiles } from '../src/main/core/retrieval/rank';
import { RepoIndex } from '../src/main/core/retrieval/repo-index';
import { parseBenchArgs, ratio } from './git-history';
import { benchCommits, recall, treeSource } from './retrieval.bench';

const USAGE = 'usage: npx node bench/run-ts.mjs bench/retrieval-tune.bench.ts --repo PATH [--commits N] [--json] < configs.json';
const Numbers = z.record(z.string(), z.number());
const Configs = z.array(z.object({ name: z.string().min(1), weights: Numbers.optional(), tuning: Numbers.optional() })).min(1);

export default async function main(argv: string[]): Promise<void> {
  const args = parseBenchArgs(argv, USAGE);
  const parsed = Configs.safeParse(JSON.parse(readFileSync(0, 'utf8') || '[{"name":"default"}]'));
  if (!parsed.success) throw new Error(`configs (stdin): ${parsed.error.issues.map((i) => `${i.path.join('.') || 'configs'}: ${i.message}`).join('; ')}`);
  const work = mkdtempSync(join(tmpdir(), 'bench-retrieval-tune-'));
  const index = new RepoIndex({ file: join(work, 'index.sqlite'), logger: silentLogger() });
  const rows = new Map(parsed.data.map((c) => [c.name, [] as Array<[number, number]>]));
  try {
    for (const c of benchCommits(args.repo, args.commits)) {
      await index.update(treeSource(args.repo, c.parent));
      for (const cfg of parsed.data) {
        const found = rankFiles(index.db, c.task, { limit: 10, ...(cfg.weights ? { weights: cfg.weights } : {}), ...(cfg.tuning ? { tuning: cfg.tuning } : {}) }).map((r) => r.path);
        rows.get(cfg.name)!.push([recall(found, c.wanted, 5), recall(found, c.wanted, 10)]);
      }
    }
  } finally {
    index.close();
    rmSync(work, { recursive: true, force: true });
  }
  const mean = (xs: number[]) => ratio(xs.reduce((a, b) => a + b, 0), xs.length);
  const result = [...rows].map(([name, r]) => ({ name, recall_at_5: mean(r.map((x) => x[0])), recall_at_10: mean(r.map((x) => x[1])) })).sort((a, b) => b.recall_at_10 - a.recall_at_10);
  if (args.json) process.stdout.write(`${JSON.stringify({ repo: args.repo, commits: rows.values().next().value?.length ?? 0, configs: result })}\n`);
  else for (const r of result) process.stdout.write(`${r.recall_at_5.toFixed(3)}  ${r.recall_at_10.toFixed(3)}  ${r.name}\n`);
}
