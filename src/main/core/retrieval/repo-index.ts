import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Db } from '../db/open';
import { openDatabase } from '../db/open';
import { deleteIndexedFile, insertIndexedFile, listIndexedFiles, RETRIEVAL_MIGRATIONS, syncHistory, type HistoryCommit } from '../db/queries/retrieval';
import type { TextEmbedder } from '../models/text-embedder';
import type { Logger } from '../observability/logger';
import { FileVectors, type VectorLimits, type VectorStats } from './file-vectors';
import { resolveImport } from './imports';
import { languageOf, SymbolExtractor, type FileSymbols } from './symbols';
import { indexWords, messageWords, pathWords } from './words';

/** Where the files come from: a workspace, a folder, or a commit's tree. `hash` changes when content does. */
export type IndexSource = {
  files(): Promise<Array<{ path: string; hash: string }>>;
  read(path: string): Promise<string | null>;
  /** The commits before this state, newest first (for change frequencies and similar past tasks); none without git. */
  history?(): Promise<HistoryCommit[]>;
};

/** `vectors`: what the update did to the file vectors; absent without an embedding model. */
export type IndexStats = { files: number; added: number; updated: number; removed: number; unchanged: number; commits: number; vectors?: VectorStats };

/** Text files worth indexing: not lock files, not minified or generated bundles, not binaries. */
export const SKIP_PATHS = /(^|\/)(node_modules|\.git|dist|build|out|coverage|vendor|__pycache__)\/|(^|\/)(package-lock\.json|yarn\.lock|pnpm-lock\.yaml|Cargo\.lock|poetry\.lock)$|\.min\.(js|css)$|\.(png|jpe?g|gif|ico|webp|pdf|zip|gz|tgz|wasm|gguf|woff2?|ttf|eot|mp4|mp3|sqlite|db)$/i;
const MAX_BYTES = 512 * 1024;
/** Characters of a file put in the full-text index. */
const MAX_INDEXED_CHARS = 200_000;

/** The path of a repository's index under the app's data folder (never inside the repository). */
export function indexFileFor(dataDir: string, repoKey: string): string {
  return join(dataDir, 'retrieval', `${createHash('sha256').update(repoKey).digest('hex').slice(0, 32)}.sqlite`);
}

/**
 * One repository's retrieval index, brought up to date incrementally: files whose hash is unchanged
 * are skipped, changed ones are re-read and re-parsed, missing ones removed.
 */
export class RepoIndex {
  readonly db: Db;
  /** The files' chunk vectors, kept while an embedding model is assigned. */
  readonly vectors: FileVectors;
  private readonly symbols: SymbolExtractor;
  private readonly logger: Logger;

  /**
   * `symbols`: a parser shared between indexes (loading the grammars takes seconds; once per process is enough).
   * `embedder`: what embeds file chunks into sqlite-vec (none, or no model named: no vectors).
   */
  constructor(options: { file: string; logger: Logger; symbols?: SymbolExtractor; embedder?: TextEmbedder; vectorLimits?: Partial<VectorLimits> }) {
    this.db = openDatabase({ file: options.file, logger: options.logger, migrations: RETRIEVAL_MIGRATIONS });
    this.symbols = options.symbols ?? new SymbolExtractor();
    this.logger = options.logger;
    this.vectors = new FileVectors({
      db: this.db,
      logger: options.logger,
      ...(options.embedder ? { embedder: options.embedder } : {}),
      ...(options.vectorLimits ? { limits: options.vectorLimits } : {}),
    });
  }

  async update(source: IndexSource, options: { signal?: AbortSignal } = {}): Promise<IndexStats> {
    const listed = (await source.files()).filter((f) => !SKIP_PATHS.test(f.path));
    const known = new Map(listIndexedFiles(this.db).map((f) => [f.path, f]));
    const paths = new Set(listed.map((f) => f.path));
    const stats: IndexStats = { files: listed.length, added: 0, updated: 0, removed: 0, unchanged: 0, commits: 0 };
    const gone = [...known.values()].filter((f) => !paths.has(f.path));
    const work: Array<{ path: string; hash: string; replace: number | null }> = [];
    for (const f of listed) {
      const old = known.get(f.path);
      if (old && old.hash === f.hash) stats.unchanged++;
      else work.push({ path: f.path, hash: f.hash, replace: old?.id ?? null });
    }
    // Parsing is async; rows are written in one transaction afterwards.
    const rows: Array<{ path: string; hash: string; replace: number | null; text: string | null }> = [];
    for (const w of work) {
      const text = await source.read(w.path);
      rows.push({ ...w, text: text !== null && text.length <= MAX_BYTES && !text.includes('\0') ? text : null });
    }
    const parsed: Array<(typeof rows)[number] & { symbols: FileSymbols | null }> = [];
    for (const r of rows) parsed.push({ ...r, symbols: r.text === null ? null : await this.symbols.extract(r.path, r.text).catch(() => null) });
    this.db.transaction(() => {
      for (const f of gone) {
        deleteIndexedFile(this.db, f.id);
        stats.removed++;
      }
      for (const r of parsed) {
        if (r.replace !== null) deleteIndexedFile(this.db, r.replace);
        const text = r.text ?? '';
        const defs = r.symbols?.definitions ?? [];
        insertIndexedFile(this.db, {
          path: r.path,
          hash: r.hash,
          lang: languageOf(r.path) ?? 'text',
          size: text.length,
          pathWords: pathWords(r.path),
          symbolWords: indexWords(defs.map((d) => d.name).join(' ')),
          content: indexWords(text.slice(0, MAX_INDEXED_CHARS)),
          definitions: defs.slice(0, 2000),
          imports: (r.symbols?.imports ?? []).flatMap((spec) => resolveImport(r.path, spec, paths) ?? []),
        });
        if (r.replace !== null) stats.updated++;
        else stats.added++;
      }
    })();
    if (source.history) {
      const commits = await source.history();
      syncHistory(this.db, commits.map((c) => ({ sha: c.sha, message: messageWords(c.message), files: c.files })));
      stats.commits = commits.length;
    }
    // Last, and never failing the update: the texts just read are embedded without reading them again.
    const texts = new Map(rows.flatMap((r) => (r.text === null ? [] : [[r.path, r.text] as const])));
    const vectors = await this.vectors.sync((path) => source.read(path), { texts, ...(options.signal ? { signal: options.signal } : {}) }).catch((e: unknown) => {
      this.logger.warn({ err: e }, 'updating the retrieval vectors failed; ranking without them');
      return undefined;
    });
    if (vectors) stats.vectors = vectors;
    return stats;
  }

  close(): void {
    this.db.close();
  }
}
