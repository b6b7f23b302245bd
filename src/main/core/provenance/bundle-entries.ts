import { canonicalHash } from '../db/canonical';
import { hashRecord } from '../db/queries/chain';
import type { BundleContent, BundleEvent, ListSection, ManifestEntry, SingleSection } from './bundle-schema';
import { LIST_SECTIONS, SINGLE_SECTIONS } from './bundle-schema';

/**
 * The manifest entries of a bundle's content: one per item, named by a path, with the sha256 of its
 * canonical JSON. A journal record's entry is its recomputed record hash (the hash of everything but
 * `recordHash`), so the manifest and the chain agree on what a record is. The exporter writes these;
 * the verifier recomputes them and compares.
 */
export type ComputedEntry = ManifestEntry & { label: string; section: ListSection | SingleSection };

export function eventHash(e: BundleEvent): string {
  return hashRecord({
    seq: e.seq,
    taskId: e.taskId,
    taskSeq: e.taskSeq,
    type: e.type,
    ts: e.ts,
    payload: e.payload,
    prevHash: e.prevHash,
    taskPrevHash: e.taskPrevHash,
  });
}

export const eventLabel = (e: { taskSeq: number; type: string }): string => `event #${e.taskSeq} (${e.type})`;

export function contentEntries(content: BundleContent): ComputedEntry[] {
  const out: ComputedEntry[] = [];
  for (const section of SINGLE_SECTIONS) {
    const value = content[section];
    if (value !== undefined && value !== null) out.push({ section, path: section, label: section, sha256: canonicalHash(value) });
  }
  for (const section of LIST_SECTIONS) {
    const items = content[section];
    if (!items) continue;
    if (section === 'events') {
      for (const e of items as BundleEvent[]) {
        out.push({ section, path: `events/${e.taskSeq}`, label: eventLabel(e), sha256: eventHash(e) });
      }
      continue;
    }
    items.forEach((item, i) => {
      out.push({ section, path: `${section}/${i}`, label: `${section}[${i}]`, sha256: canonicalHash(item) });
    });
  }
  return out;
}

/** The section a manifest path belongs to (`events/3` -> `events`). */
export function sectionOf(path: string): string {
  const slash = path.indexOf('/');
  return slash === -1 ? path : path.slice(0, slash);
}

/** How to name an entry the bundle no longer has: `event #3`, `verdicts[1]`, `patch`. */
export function labelOfPath(path: string): string {
  const section = sectionOf(path);
  if (section === path) return path;
  const rest = path.slice(section.length + 1);
  return section === 'events' ? `event #${rest}` : `${section}[${rest}]`;
}
