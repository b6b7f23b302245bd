import { realpathSync } from 'node:fs';
import type { TextEmbedder } from '../models/text-embedder';
import type { Logger } from '../observability/logger';
import { folderSource } from './folder-source';
import { rankFiles, type RankedFile } from './rank';
import { indexFileFor, RepoIndex, type IndexStats } from './repo-index';
import { SymbolExtractor } from './symbols';

/** Files of the vector list fused into the ranking (each by its nearest chunk). */
const VECTOR_FILES = 50;

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

  /** `embedder`: what embeds file chunks and the task when it names a model (read per question); none: no vectors. */
  constructor(private readonly options: { dataDir: string; logger: Logger; embedder?: TextEmbedder }) {}

  /**
   * Brings the repository's index up to date, then ranks its files for the task — with the files
   * nearest the task by the embedding model as one more list when there is one and it answers.
   */
  async relevantFiles(input: RetrieveInput): Promise<RankedFile[]> {
    const ranked = await this.withIndex(input.repoPath, input.signal, async (index) => {
      const vector = await index.vectors.nearestFiles(input.task, VECTOR_FILES, input.signal);
      return rankFiles(index.db, input.task, { limit: input.limit ?? 10, ...(vector ? { vector } : {}) });
    });
    return ranked.result;
  }

  /** Brings the repository's index up to date (only files whose hash changed are read) and says what changed. */
  async update(repoPath: string, signal?: AbortSignal): Promise<IndexStats> {
    return (await this.withIndex(repoPath, signal, () => undefined)).stats;
  }

  private withIndex<T>(repoPath: string, signal: AbortSignal | undefined, use: (index: RepoIndex) => T | Promise<T>): Promise<{ stats: IndexStats; result: T }> {
    const key = repoKey(repoPath);
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(async () => {
      signal?.throwIfAborted();
      const started = Date.now();
      const index = new RepoIndex({
        file: indexFileFor(this.options.dataDir, key),
        logger: this.options.logger,
        symbols: this.symbols,
        ...(this.options.embedder ? { embedder: this.options.embedder } : {}),
      });
      try {
        const stats = await index.update(folderSource(repoPath, signal ? { signal } : {}), signal ? { signal } : {});
        const result = await use(index);
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
