import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import type { ModelClient } from '../models/types';
import type { Logger } from '../observability/logger';
import type { FileRetrieval } from '../retrieval/service';

/** What the planner is shown of the repository, bounded so it fits a small model's context. */
export type RepoContext = {
  /** Relative paths, folders first, sorted; truncated at `limits.treeEntries`. */
  tree: string[];
  treeTruncated: boolean;
  readme?: string;
  /** Files most related to the task: from the retrieval service, else by embedding similarity to the description. */
  relevant: { path: string; score: number; excerpt: string }[];
  /**
   * How `relevant` was ranked: `retrieval` (the retrieval service's fused ranking), `embedding`, or
   * `lexical` when there was no retrieval service and the model could not embed.
   */
  ranking: 'retrieval' | 'embedding' | 'lexical' | 'none';
};

export type RepoContextLimits = {
  treeEntries: number;
  maxDepth: number;
  candidates: number;
  relevant: number;
  excerptChars: number;
  readmeChars: number;
  maxFileBytes: number;
};

export const DEFAULT_CONTEXT_LIMITS: RepoContextLimits = {
  treeEntries: 400,
  maxDepth: 6,
  candidates: 120,
  relevant: 5,
  excerptChars: 1200,
  readmeChars: 3000,
  maxFileBytes: 128 * 1024,
};

const SKIP_DIRS = new Set(['.git', 'node_modules', 'dist', 'build', 'out', 'target', 'coverage', '.venv', 'venv', '__pycache__', '.next', '.cache', '.tmp', 'vendor']);
const TEXT_EXT = new Set([
  '.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.json', '.md', '.py', '.rs', '.go', '.java', '.kt', '.swift', '.rb', '.php',
  '.c', '.h', '.cc', '.cpp', '.hpp', '.cs', '.css', '.scss', '.html', '.vue', '.svelte', '.yaml', '.yml', '.toml', '.sql', '.sh', '.txt',
]);

export type GatherOptions = {
  repoPath: string;
  description: string;
  client: Pick<ModelClient, 'embed'>;
  logger: Logger;
  signal?: AbortSignal;
  limits?: Partial<RepoContextLimits>;
  /** The retrieval service; when given (and it answers) it chooses the relevant files. */
  retrieval?: FileRetrieval;
};

/** Reads the tree, the README and the files the retrieval service ranks best (without one: nearest to the description in embedding space). */
export async function gatherRepoContext(options: GatherOptions): Promise<RepoContext> {
  const limits = { ...DEFAULT_CONTEXT_LIMITS, ...options.limits };
  const { entries, files, truncated } = walk(options.repoPath, limits);
  const readme = readReadme(options.repoPath, limits.readmeChars);
  const context: RepoContext = { tree: entries, treeTruncated: truncated, relevant: [], ranking: 'none', ...(readme ? { readme } : {}) };
  if (options.retrieval) {
    const retrieved = await retrievedFiles(options, limits);
    // Nothing ranked (a task of stop words only, say): the similarity search below may still find something.
    if (retrieved && retrieved.length > 0) return { ...context, relevant: retrieved, ranking: 'retrieval' };
  }
  const candidates = files
    .filter((f) => TEXT_EXT.has(extname(f).toLowerCase()) && !/(^|\/)(package-lock\.json|yarn\.lock|pnpm-lock\.yaml|Cargo\.lock)$/.test(f))
    .slice(0, limits.candidates)
    .flatMap((path) => {
      const text = readText(join(options.repoPath, path), limits.maxFileBytes);
      return text === undefined ? [] : [{ path, text }];
    });
  if (candidates.length === 0) return context;

  const docs = candidates.map((c) => `${c.path}\n${c.text.slice(0, 1500)}`);
  let scores: number[];
  try {
    const vectors = await embedBatched(options.client, [options.description, ...docs], options.signal);
    const [query, ...rest] = vectors;
    scores = rest.map((v) => cosine(query!, v));
    context.ranking = 'embedding';
  } catch (e) {
    if (options.signal?.aborted || (e instanceof Error && e.name === 'AbortError')) throw e;
    // A model without embeddings still gets a useful context: rank by shared words.
    options.logger.warn({ err: e }, 'embedding search failed; ranking files by shared words');
    scores = docs.map((d) => lexical(options.description, d));
    context.ranking = 'lexical';
  }
  context.relevant = candidates
    .map((c, i) => ({ path: c.path, score: scores[i] ?? 0, excerpt: c.text.slice(0, limits.excerptChars) }))
    .sort((a, b) => b.score - a.score || a.path.localeCompare(b.path))
    .slice(0, limits.relevant);
  return context;
}

/** The retrieval service's best files with their excerpts, or undefined when it failed (the caller falls back). */
async function retrievedFiles(options: GatherOptions, limits: RepoContextLimits): Promise<RepoContext['relevant'] | undefined> {
  try {
    const ranked = await options.retrieval!.relevantFiles({
      repoPath: options.repoPath,
      task: options.description,
      limit: limits.relevant,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return ranked.flatMap((r) => {
      const text = readText(join(options.repoPath, r.path), limits.maxFileBytes);
      return text === undefined ? [] : [{ path: r.path, score: r.score, excerpt: text.slice(0, limits.excerptChars) }];
    });
  } catch (e) {
    if (options.signal?.aborted || (e instanceof Error && e.name === 'AbortError')) throw e;
    options.logger.warn({ err: e }, 'retrieval failed; ranking files by embeddings or shared words');
    return undefined;
  }
}

async function embedBatched(client: Pick<ModelClient, 'embed'>, texts: string[], signal?: AbortSignal): Promise<number[][]> {
  const out: number[][] = [];
  for (let i = 0; i < texts.length; i += 32) {
    const batch = texts.slice(i, i + 32);
    const vectors = await client.embed(batch, signal ? { signal } : {});
    if (vectors.length !== batch.length) throw new Error(`embed returned ${vectors.length} vectors for ${batch.length} texts`);
    out.push(...vectors);
  }
  return out;
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

function lexical(query: string, doc: string): number {
  const words = (s: string) => new Set(s.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 2));
  const q = words(query);
  const d = words(doc);
  let shared = 0;
  for (const w of q) if (d.has(w)) shared++;
  return q.size === 0 ? 0 : shared / q.size;
}

function walk(root: string, limits: RepoContextLimits): { entries: string[]; files: string[]; truncated: boolean } {
  const entries: string[] = [];
  const files: string[] = [];
  let truncated = false;
  const visit = (dir: string, depth: number) => {
    if (depth > limits.maxDepth) return;
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    const dirs: string[] = [];
    for (const name of names) {
      const full = join(dir, name);
      let st;
      try {
        st = lstatSync(full);
      } catch {
        continue;
      }
      // Links are not followed: they could lead outside the repository.
      if (st.isSymbolicLink()) continue;
      const rel = relative(root, full).split('\\').join('/');
      if (st.isDirectory()) {
        if (!SKIP_DIRS.has(name)) dirs.push(full);
        continue;
      }
      if (!st.isFile()) continue;
      files.push(rel);
      if (entries.length < limits.treeEntries) entries.push(rel);
      else truncated = true;
    }
    for (const d of dirs) visit(d, depth + 1);
  };
  visit(root, 0);
  return { entries, files, truncated };
}

function readReadme(root: string, max: number): string | undefined {
  for (const name of ['README.md', 'README', 'readme.md', 'README.txt', 'README.rst']) {
    const text = readText(join(root, name), 512 * 1024);
    if (text !== undefined) return text.slice(0, max);
  }
  return undefined;
}

function readText(file: string, maxBytes: number): string | undefined {
  try {
    const st = lstatSync(file);
    if (!st.isFile() || st.size > maxBytes) return undefined;
    const buf = readFileSync(file);
    // A NUL byte in the first KiB means binary.
    if (buf.subarray(0, 1024).includes(0)) return undefined;
    return buf.toString('utf8');
  } catch {
    return undefined;
  }
}
