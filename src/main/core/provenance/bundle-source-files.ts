import { createHash } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import type { SourceFileCheck } from '../../../shared/channels/provenance';
import { ABSENT_SHA256 } from '../db/queries/source-integrity-records';
import type { Findings } from './bundle-findings';
import type { SectionItem, SourceIntegrityItem } from './bundle-schema';

/**
 * Checks the files a bundle's sources name against the hashes it lists, in a directory the user
 * supplies (the workspace or repository as it was, with the attachments by name): a file matches the
 * last version the task recorded, or an earlier one (a note: claims checked against the later version
 * may not hold for it), or none (a failure: `altered`). A file not in the directory was not checked.
 * Knowledge chunks are hashed as extracted text, so no file checks them.
 */
export async function checkSourceFiles(items: readonly SourceIntegrityItem[], dir: string, findings: Findings, warnings: string[]): Promise<SourceFileCheck[]> {
  const versions = new Map<string, { source: SourceFileCheck['source']; path: string; hashes: string[] }>();
  for (const item of items) {
    const source = item.source ?? 'workspace';
    const key = `${source}\u0000${item.path}\u0000${item.location ?? ''}`;
    const entry = versions.get(key) ?? { source, path: item.path, hashes: [] };
    entry.hashes.push(item.sha256);
    versions.set(key, entry);
  }
  const root = await realpath(dir);
  const out: SourceFileCheck[] = [];
  for (const { source, path, hashes } of versions.values()) {
    const latest = hashes[hashes.length - 1]!;
    const element = `sourceIntegrity (${source} ${path})`;
    if (source === 'knowledge') {
      out.push({ source, path, status: 'not_checkable', recorded: latest, found: null });
      continue;
    }
    const found = await hashInside(root, path);
    if (found === 'outside') {
      findings.add('malformed', element, `${element}: the path leads outside the sources directory, so it was not read`);
      out.push({ source, path, status: 'not_checkable', recorded: latest, found: null });
      continue;
    }
    const sha = found ?? ABSENT_SHA256;
    if (sha === latest) out.push({ source, path, status: 'matches', recorded: latest, found: found ?? null });
    else if (found === null) out.push({ source, path, status: 'not_supplied', recorded: latest, found: null });
    else if (hashes.includes(sha)) {
      warnings.push(`${source} ${path} is an earlier version than the last one the task recorded (sha256 ${latest.slice(0, 12)}…): claims checked against the later version may not hold for it`);
      out.push({ source, path, status: 'earlier', recorded: latest, found });
    } else {
      findings.add('altered', element, `${source} ${path} differs from every version the task recorded: sha256 ${found} is not ${hashes.map((h) => h.slice(0, 12)).join(', ')}`);
      out.push({ source, path, status: 'differs', recorded: latest, found });
    }
  }
  const missing = out.filter((c) => c.status === 'not_supplied').length;
  if (missing) warnings.push(`${missing} source file(s) were not in ${dir}, so their hashes were not checked`);
  return out;
}

/**
 * Every claim a source lists as checked against it is a claim row of the bundle: a link to a claim
 * that is not there was inserted (or the claim was removed) after the export.
 */
export function checkSourceLinks(items: readonly SourceIntegrityItem[], claims: readonly SectionItem[], findings: Findings): void {
  const ids = new Set(claims.flatMap((c) => (c.source === 'table' && c.table === 'task_claims' ? [c.data['id']] : [])));
  items.forEach((item, i) => {
    const missing = (item.claims ?? []).filter((id) => !ids.has(id));
    if (missing.length) findings.add('removed', `sourceIntegrity[${i}]`, `sourceIntegrity[${i}] (${item.source ?? 'workspace'} ${item.path}) names claim(s) ${missing.join(', ')}, which the bundle's claims do not hold`);
  });
}

/** The sha256 of `path` under `root`; null when it is not there; `outside` when it resolves outside `root`. */
async function hashInside(root: string, path: string): Promise<string | null | 'outside'> {
  const target = resolve(root, path);
  const lexical = relative(root, target);
  if (isAbsolute(path) || lexical.startsWith('..') || isAbsolute(lexical)) return 'outside';
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    return null;
  }
  const rel = relative(root, real);
  if (rel.startsWith('..') || isAbsolute(rel)) return 'outside';
  try {
    return createHash('sha256').update(await readFile(real)).digest('hex');
  } catch {
    return null;
  }
}
