import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Clock } from '../journal/journal';
import type { Db } from '../db/open';
import { countEntities, findEntityBySourceHash, insertEntity, searchChunks, type KnowledgeHit } from '../db/queries/knowledge';
import type { Logger } from '../observability/logger';
import { indexWords, queryTerms } from '../retrieval/words';
import { sha256 } from '../workspace/hash';
import { readSource, UnreadableSource } from './read-source';

/** Chunk size in characters; chunks overlap by a line so a sentence at a border is in both. */
const CHUNK_CHARS = 800;

export type AddResult = { file: string; status: 'added' | 'unchanged'; entityId: string; chunks: number; extraction: string } | { file: string; status: 'refused'; reason: string };
export type SearchHit = { source: string; title: string; location: string; extraction: string; score: number; text: string };

/** The knowledge base: documents, PDFs and images added by path, chunked and indexed for search. */
export class KnowledgeService {
  constructor(private readonly o: { db: Db; logger: Logger; clock: Clock }) {}

  /** Adds each file; a file that cannot be read is refused with its name and why, never skipped silently. */
  async add(files: readonly string[]): Promise<AddResult[]> {
    const out: AddResult[] = [];
    for (const f of files) {
      const file = resolve(f);
      try {
        const data = await readFile(file);
        const hash = sha256(data);
        const known = findEntityBySourceHash(this.o.db, file, hash);
        if (known) {
          out.push({ file, status: 'unchanged', entityId: known.id, chunks: 0, extraction: known.extraction });
          continue;
        }
        const ex = await readSource(file, data);
        const chunks = ex.parts.flatMap((p) => chunk(p.text, p.location)).filter((c) => c.text.trim().length > 0);
        const id = `kno_${hash.slice(0, 12)}${Date.now().toString(36).slice(-4)}`;
        insertEntity(
          this.o.db,
          { id, kind: ex.kind, source: file, title: basename(file), sha256: hash, bytes: data.length, extraction: ex.extraction, added_at: this.o.clock.now() },
          chunks.map((c) => ({ ...c, words: `${indexWords(basename(file))} ${indexWords(c.text)}` })),
        );
        out.push({ file, status: 'added', entityId: id, chunks: chunks.length, extraction: ex.extraction });
      } catch (e) {
        const reason = e instanceof UnreadableSource ? e.reason : e instanceof Error ? e.message : String(e);
        this.o.logger.warn({ file, reason }, 'knowledge source refused');
        out.push({ file, status: 'refused', reason });
      }
    }
    return out;
  }

  /** Ranked chunks for a query (BM25 over the chunk words; any query term may match). */
  search(query: string, limit = 5): SearchHit[] {
    const terms = queryTerms(query);
    if (terms.length === 0) return [];
    const match = terms.map((t) => `"${t}"`).join(' OR ');
    return searchChunks(this.o.db, match, Math.max(1, Math.min(100, limit))).map((h: KnowledgeHit) => ({
      source: h.source,
      title: h.title,
      location: h.location,
      extraction: h.extraction,
      score: Math.round(-h.score * 1000) / 1000,
      text: h.text,
    }));
  }

  count(): number {
    return countEntities(this.o.db);
  }
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
