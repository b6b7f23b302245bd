import { realpathSync } from 'node:fs';
import { lstat, readdir, readFile, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Db } from '../db/open';
import { repositorySources } from '../db/queries/knowledge';
import { recordSourceVersion } from '../db/queries/source-integrity-records';
import type { Clock } from '../journal/journal';
import type { Logger } from '../observability/logger';
import { sha256 } from '../workspace/hash';
import type { KnowledgeService } from './knowledge-service';

/** How much of a repository is read: files, bytes of one file, bytes in all. */
export type RepositoryDocLimits = { maxFiles: number; maxFileBytes: number; maxTotalBytes: number };
export const REPOSITORY_DOC_LIMITS: RepositoryDocLimits = { maxFiles: 200, maxFileBytes: 512 * 1024, maxTotalBytes: 8 * 1024 * 1024 };

export type RepositoryDocsOutcome = {
  /** Files read (added, replaced or unchanged), repository-relative. */
  read: { path: string; status: 'added' | 'replaced' | 'unchanged'; chunks: number }[];
  /** Files seen but not read, with why (too large, not text, a link leading outside, a limit reached). */
  skipped: { path: string; reason: string }[];
  /** Entries of files no longer in the repository, removed (only when every file could be looked at). */
  removed: string[];
};

/** The key a repository's docs are kept under: its real root (a symlinked path and its target are one repository). */
export function repositoryKey(repoPath: string): string {
  try {
    return realpathSync(repoPath);
  } catch {
    return resolve(repoPath);
  }
}

const SKIP_DIRS = new Set(['.git', 'node_modules']);
const ROOT_DOC = /^(README|CHANGELOG|CHANGES|HISTORY)([.-][^/]*)?$/i;
const isDoc = (rel: string) => {
  const parts = rel.split('/');
  if (parts.length === 1) return ROOT_DOC.test(parts[0]!);
  if (parts[0] === 'docs') return /\.(md|markdown)$/i.test(rel);
  if (parts[0] === '.caws') return /\.ya?ml$/i.test(rel);
  return false;
};

/**
 * The target repository's docs and specs in the knowledge base (README*, CHANGELOG*, CHANGES*,
 * HISTORY*, docs/**\/*.md, .caws/**\/*.yaml), searched for tasks on that repository. Bounded in files
 * and bytes; every path is confined to the repository (a link leading outside it is refused, never
 * read). Re-indexing a file whose hash is unchanged does nothing; a changed file replaces its chunks.
 * Each file read is recorded for the task in source_integrity_records (source `repository`, its
 * relative path and hash).
 */
export class RepositoryDocs {
  private readonly limits: RepositoryDocLimits;
  constructor(private readonly o: { db: Db; knowledge: KnowledgeService; clock: Clock; logger: Logger; limits?: Partial<RepositoryDocLimits> }) {
    this.limits = { ...REPOSITORY_DOC_LIMITS, ...o.limits };
  }

  async index(taskId: string, repoPath: string): Promise<RepositoryDocsOutcome> {
    const root = repositoryKey(repoPath);
    const out: RepositoryDocsOutcome = { read: [], skipped: [], removed: [] };
    const { files, complete } = await this.find(root, out.skipped);
    let total = 0;
    let limited = false;
    const seen = new Set<string>();
    for (const rel of files) {
      const full = join(root, ...rel.split('/'));
      seen.add(full);
      let data: Buffer;
      try {
        // Checked again at the read: a file swapped for a link leading outside since the walk is refused.
        const target = await inside(root, full);
        if (target === 'outside') {
          out.skipped.push({ path: rel, reason: 'a link that leads outside the repository: refused' });
          continue;
        }
        data = await readFile(target ?? full);
      } catch (e) {
        out.skipped.push({ path: rel, reason: `unreadable: ${e instanceof Error ? e.message : String(e)}` });
        continue;
      }
      if (data.length > this.limits.maxFileBytes) {
        out.skipped.push({ path: rel, reason: `too large (${data.length} bytes; the limit is ${this.limits.maxFileBytes})` });
        continue;
      }
      if (total + data.length > this.limits.maxTotalBytes) {
        limited = true;
        out.skipped.push({ path: rel, reason: `the limit of ${this.limits.maxTotalBytes} bytes for a repository's docs was reached` });
        continue;
      }
      const text = textOf(data);
      if (text === null) {
        out.skipped.push({ path: rel, reason: 'not UTF-8 text' });
        continue;
      }
      total += data.length;
      const kind = rel.startsWith('.caws/') ? 'spec' : 'document';
      const added = await this.o.knowledge.addData({ source: full, title: rel, data, repo: root, extracted: { kind, extraction: 'text', parts: [{ location: 'line 1', text }] } });
      out.read.push({ path: rel, status: added.status === 'unchanged' ? 'unchanged' : added.replaced ? 'replaced' : 'added', chunks: added.chunks });
      recordSourceVersion(this.o.db, taskId, { source: 'repository', path: rel, sha256: sha256(data) }, this.o.clock.now());
    }
    // A file gone from the repository takes its entry with it, unless a limit kept some files unlooked-at.
    if (complete && !limited) {
      for (const r of repositorySources(this.o.db, root)) {
        if (seen.has(r.source)) continue;
        this.o.knowledge.remove(r.id);
        out.removed.push(relative(root, r.source).split(sep).join('/'));
      }
    }
    if (out.skipped.length) this.o.logger.info({ taskId, repo: root, skipped: out.skipped }, 'repository docs not read');
    return out;
  }

  /** The doc files under `root`, sorted, at most maxFiles; `complete` is false when the count limit cut the list. */
  private async find(root: string, skipped: RepositoryDocsOutcome['skipped']): Promise<{ files: string[]; complete: boolean }> {
    const found: string[] = [];
    const walk = async (dir: string, rel: string, depth: number): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        const childRel = rel ? `${rel}/${e.name}` : e.name;
        const full = join(dir, e.name);
        if (e.isDirectory()) {
          if (SKIP_DIRS.has(e.name) || depth > 12) continue;
          if (rel === '' && e.name !== 'docs' && e.name !== '.caws') continue;
          await walk(full, childRel, depth + 1);
        } else if (e.isSymbolicLink()) {
          if (!isDoc(childRel)) continue;
          const target = await inside(root, full);
          if (target === 'outside') skipped.push({ path: childRel, reason: 'a link that leads outside the repository: refused' });
          else if (target && (await lstat(target)).isFile()) found.push(childRel);
        } else if (e.isFile() && isDoc(childRel)) found.push(childRel);
      }
    };
    await walk(root, '', 0);
    found.sort();
    if (found.length > this.limits.maxFiles) {
      for (const rel of found.slice(this.limits.maxFiles)) skipped.push({ path: rel, reason: `the limit of ${this.limits.maxFiles} files for a repository's docs was reached` });
      return { files: found.slice(0, this.limits.maxFiles), complete: false };
    }
    return { files: found, complete: true };
  }
}

/** The real path of a link under root, `outside` when it resolves outside root, null when it is broken. */
async function inside(root: string, full: string): Promise<string | 'outside' | null> {
  try {
    const real = await realpath(full);
    const rel = relative(root, real);
    return rel.startsWith('..') || isAbsolute(rel) ? 'outside' : real;
  } catch {
    return null;
  }
}

function textOf(data: Buffer): string | null {
  if (data.includes(0)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return null;
  }
}
