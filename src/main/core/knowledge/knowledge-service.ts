import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { KnowledgeAddResult, KnowledgeEntry, KnowledgeHit } from '../../../shared/domain/knowledge';
import { AppFailure } from '../../../shared/errors';
import type { Clock } from '../journal/journal';
import type { Db } from '../db/open';
import { chunkIdsOf, chunksByIds, countEntities, deleteEntity, findEntityBySourceHash, insertEntity, listEntities, repositoryEntities, searchChunks, type KnowledgeEntityRow, type KnowledgeHit as HitRow } from '../db/queries/knowledge';
import type { Logger } from '../observability/logger';
import { indexWords, queryTerms } from '../retrieval/words';
import { sha256 } from '../workspace/hash';
import type { TextEmbedder } from '../models/text-embedder';
import { ChunkVectors, reciprocalRankFusion } from './chunk-vectors';
import { readSource, UnreadableSource, type Extracted } from './read-source';

/** Chunk size in characters; chunks overlap by a line so a sentence at a border is in both. */
const CHUNK_CHARS = 800;

export type AddResult = KnowledgeAddResult;
export type SearchHit = KnowledgeHit;

/** The words a chunk is indexed with: its entry's title and its own text. */
const chunkWords = (title: string, text: string) => `${indexWords(title)} ${indexWords(text)}`;

/** The knowledge base: documents, PDFs and images added by path (or as a task's attachments), chunked and indexed for search. */
export class KnowledgeService {
  private readonly vectors: ChunkVectors;

  /** `embedder`: when it names a model, chunks are also embedded into sqlite-vec and search is hybrid. */
  constructor(private readonly o: { db: Db; logger: Logger; clock: Clock; embedder?: TextEmbedder }) {
    this.vectors = new ChunkVectors({ db: o.db, clock: o.clock, logger: o.logger, ...(o.embedder ? { embedder: o.embedder } : {}) });
  }

  /** Adds each file; a file that cannot be read is refused with its name and why, never skipped silently. */
  async add(files: readonly string[]): Promise<AddResult[]> {
    const out: AddResult[] = [];
    for (const f of files) {
      const file = resolve(f);
      try {
        out.push(await this.addData({ source: file, title: basename(file), data: await readFile(file) }));
      } catch (e) {
        const reason = e instanceof UnreadableSource ? e.reason : e instanceof Error ? e.message : String(e);
        this.o.logger.warn({ file, reason }, 'knowledge source refused');
        out.push({ file, status: 'refused', reason });
      }
    }
    return out;
  }

  /**
   * Adds one file's bytes under `source` (its path), for a task when `taskId` is given. Throws
   * UnreadableSource when it cannot be read. `extracted` lets a caller that already read it (an
   * attachment) skip reading it twice. With `repo` it is a doc of that repository: one entry per
   * file, so a changed file replaces the entry and its chunks (`replaced` says so).
   */
  async addData(input: { source: string; title: string; data: Buffer; taskId?: string; repo?: string; extracted?: Extracted }): Promise<Extract<AddResult, { status: 'added' | 'unchanged' }> & { replaced?: number }> {
    const hash = sha256(input.data);
    const known = findEntityBySourceHash(this.o.db, input.source, hash);
    if (known) return { file: input.source, status: 'unchanged', entityId: known.id, chunks: 0, extraction: known.extraction };
    const ex = input.extracted ?? (await readSource(input.title, input.data));
    const chunks = ex.parts.flatMap((p) => chunk(p.text, p.location)).filter((c) => c.text.trim().length > 0);
    const now = this.o.clock.now();
    // The source is part of the id: two files with the same bytes added in one millisecond are two entries.
    const id = `kno_${sha256(Buffer.from(`${input.source}\u0000${hash}`)).slice(0, 12)}${now.toString(36).slice(-4)}`;
    const earlier = input.repo ? repositoryEntities(this.o.db, input.repo, input.source) : [];
    for (const e of earlier) this.remove(e.id);
    const ids = insertEntity(
      this.o.db,
      { id, kind: ex.kind, source: input.source, title: input.title, sha256: hash, bytes: input.data.length, extraction: ex.extraction, added_at: now, task_id: input.taskId ?? null, repo: input.repo ?? null },
      chunks.map((c) => ({ ...c, words: chunkWords(input.title, c.text) })),
    );
    await this.vectors.embedChunks(chunks.map((c, i) => ({ id: ids[i]!, title: input.title, text: c.text })));
    return { file: input.source, status: 'added', entityId: id, chunks: chunks.length, extraction: ex.extraction, ...(earlier.length ? { replaced: earlier.length } : {}) };
  }

  /**
   * Ranked chunks for a query (BM25 over the chunk words; any query term may match). Entries the user
   * added are searched always, a task's attachments only for that task, a repository's docs only
   * when `repo` names that repository (its root as `repositoryKey` gives it).
   */
  search(query: string, limit = 5, taskId?: string, repo?: string): SearchHit[] {
    return this.ftsRows(query, Math.max(1, Math.min(100, limit)), taskId, repo).map((h) => toHit(h, Math.round(-h.score * 1000) / 1000, 'fts'));
  }

  /**
   * Ranked chunks as `search`, fused with vector similarity when an embedding model is assigned and
   * has embedded chunks: reciprocal rank fusion of the BM25 list and the sqlite-vec nearest list, so a
   * chunk sharing no word with the query can still rank. Each hit says which ranking it came from.
   */
  async rank(query: string, limit = 5, taskId?: string, repo?: string): Promise<SearchHit[]> {
    const n = Math.max(1, Math.min(100, limit));
    const pool = Math.max(20, n * 4);
    const nearest = query.trim() ? await this.vectors.nearest(query, pool) : undefined;
    if (!nearest) return this.search(query, n, taskId, repo);
    const fts = this.ftsRows(query, pool, taskId, repo);
    const byId = new Map<number, HitRow>(fts.map((h) => [h.chunkId, h]));
    for (const h of chunksByIds(this.o.db, nearest.filter((id) => !byId.has(id)), taskId, repo)) byId.set(h.chunkId, h);
    // Vector hits outside this task's scope were not fetched; they drop out here.
    const allowed = nearest.filter((id) => byId.has(id));
    return reciprocalRankFusion([fts.map((h) => h.chunkId), allowed])
      .slice(0, n)
      .map((f) => toHit(byId.get(f.id)!, Math.round(f.score * 1e6) / 1e6, 'hybrid'));
  }

  private ftsRows(query: string, limit: number, taskId?: string, repo?: string): HitRow[] {
    const terms = queryTerms(query);
    if (terms.length === 0) return [];
    const match = terms.map((t) => `"${t}"`).join(' OR ');
    return searchChunks(this.o.db, match, limit, taskId, repo);
  }

  list(options: { includeAttachments?: boolean; limit?: number } = {}): KnowledgeEntry[] {
    return listEntities(this.o.db, { includeAttachments: options.includeAttachments === true, limit: options.limit ?? 500 }).map((e) => ({
      id: e.id,
      kind: e.kind,
      source: e.source,
      title: e.title,
      bytes: e.bytes,
      sha256: e.sha256,
      extraction: e.extraction as KnowledgeEntry['extraction'],
      addedAt: e.added_at,
      chunks: e.chunks,
      taskId: e.task_id,
    }));
  }

  /** Removes an entry with its chunks, index rows and chunk vectors, in one transaction; an unknown id is not_found. */
  remove(id: string): { id: string; removed: true } {
    const removed = this.o.db.transaction(() => {
      const chunkIds = chunkIdsOf(this.o.db, id);
      if (!deleteEntity(this.o.db, id, (e: KnowledgeEntityRow, text: string) => chunkWords(e.title, text))) return false;
      this.vectors.removeChunks(chunkIds);
      return true;
    })();
    if (!removed) throw new AppFailure('not_found', `no knowledge entry with id ${id}`);
    return { id, removed: true };
  }

  /** How many chunk vectors `model` has stored. */
  vectorCount(model: string): number {
    return this.vectors.count(model);
  }

  count(): number {
    return countEntities(this.o.db);
  }
}

function toHit(h: HitRow, score: number, ranking: 'fts' | 'hybrid'): SearchHit {
  return { entityId: h.entityId, source: h.source, title: h.title, location: h.location, extraction: h.extraction, score, text: h.text, taskId: h.taskId, ...(h.repo ? { repo: h.repo } : {}), ranking };
}

/** Splits text at line ends into chunks of about CHUNK_CHARS, each with its location (page, line). */
export function chunk(text: string, location: string): { location: string; text: string }[] {
  const lines = text.split('\n');
  const out: { location: string; text: string }[] = [];
  const lineBased = location.startsWith('line ');
  let start = 0;
  while (start < lines.length) {
    let end = start;
    let size = 0;
    while (end < lines.length && (end === start || size + lines[end]!.length < CHUNK_CHARS)) size += lines[end++]!.length + 1;
    const where = lineBased ? `lines ${start + 1}-${end}` : lines.length > end - start || start > 0 ? `${location}, lines ${start + 1}-${end}` : location;
    out.push({ location: where, text: lines.slice(start, end).join('\n') });
    if (end >= lines.length) break;
    start = Math.max(start + 1, end - 1);
  }
  return out;
}
