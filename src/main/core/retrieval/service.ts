import { realpathSync } from 'node:fs';
import type { Logger } from '../observability/logger';
import { folderSource } from './folder-source';
import { rankFiles, type RankedFile } from './rank';
import { indexFileFor, RepoIndex, type IndexStats } from './repo-index';
import { SymbolExtractor } from './symbols';

export type RetrieveInput = { repoPath: string; task: string; limit?: number; signal?: AbortSignal };

/** What the planner and the worker ask of retrieval: the files of a repository a task most likely needs, best first. */
export interface FileRetrieval {
  relevantFiles(input: RetrieveInput): Promise<RankedFile[]>;
}

/**
 * The one retrieval service: each repository's index lives in the app's data folder
 * (`retrieval/<hash of the repository's path>.sqlite`, never in the repository), is brought up to date
 * from file hashes before each question (only changed files are read again) and answers with the
 * fused ranking of rank.ts. Updates of one repository's index run one at a time.
 */
export class RetrievalService implements FileRetrieval {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly symbols = new SymbolExtractor();

  constructor(private readonly options: { dataDir: string; logger: Logger }) {}

  /** Brings the repository's index up to date, then ranks its files for the task. */
  async relevantFiles(input: RetrieveInput): Promise<RankedFile[]> {
    return (await this.withIndex(input.repoPath, input.signal, (index) => rankFiles(index.db, input.task, { limit: input.limit ?? 10 }))).result;
  }

  /** Brings the repository's index up to date (only files whose hash changed are read) and says what changed. */
  async update(repoPath: string, signal?: AbortSignal): Promise<IndexStats> {
    return (await this.withIndex(repoPath, signal, () => undefined)).stats;
  }

  private withIndex<T>(repoPath: string, signal: AbortSignal | undefined, use: (index: RepoIndex) => T): Promise<{ stats: IndexStats; result: T }> {
    const key = repoKey(repoPath);
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(async () => {
      signal?.throwIfAborted();
      const started = Date.now();
      const index = new RepoIndex({ file: indexFileFor(this.options.dataDir, key), logger: this.options.logger, symbols: this.symbols });
      try {
        const stats = await index.update(folderSource(repoPath, signal ? { signal } : {}));
        const result = use(index);
        this.options.logger.debug({ repo: key, ...stats, ms: Date.now() - started }, 'retrieval index updated');
        return { stats, result };
      } finally {
        index.close();
      }
    });
    this.queues.set(key, next);
    void next
      .finally(() => {
        if (this.queues.get(key) === next) this.queues.delete(key);
      })
      .catch(() => undefined);
    return next;
  }
}

/** The same repository reached by two paths (a link, a trailing slash) shares one index. */
function repoKey(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
