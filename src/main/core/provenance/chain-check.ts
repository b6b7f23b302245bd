/**
 * Pure checks of one hash chain, shared by the database verifier (whole journal and per task) and
 * the offline bundle verifier. Records are given in the order they are stored; each says where it
 * claims to be (`position`: seq or task seq), the hash stored with it, the hash its content has
 * now, and the hash of the predecessor it names. The aim is to say exactly what happened, not just
 * that something did: a record altered, removed, inserted, duplicated or moved.
 */
export type LinkInput = {
  position: number;
  /** How a person would name this record: `event #3 (council.verdict)`. */
  label: string;
  storedHash: string;
  computedHash: string;
  prev: string | null;
};

export type ChainIssueKind = 'altered' | 'removed' | 'inserted' | 'reordered';

export type ChainIssue = {
  kind: ChainIssueKind;
  /** The record the problem is about. */
  label: string;
  message: string;
};

export type ChainCheckOptions = {
  /** Position of the first record when the chain is complete (1 for a task's records). */
  firstPosition?: number;
  /** Names a missing record by position: `event #4`. */
  nameMissing?: (position: number) => string;
};

export function checkChain(records: readonly LinkInput[], options: ChainCheckOptions = {}): ChainIssue[] {
  const nameMissing = options.nameMissing ?? ((p: number) => `record ${p}`);
  const issues: ChainIssue[] = [];
  const indexOf = new Map<string, number>();
  const duplicates = new Set<number>();
  records.forEach((r, i) => {
    if (indexOf.has(r.storedHash)) duplicates.add(i);
    else indexOf.set(r.storedHash, i);
  });
  const referenced = new Set<string>();
  for (const r of records) if (r.prev !== null) referenced.add(r.prev);

  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r.computedHash !== r.storedHash) {
      issues.push({ kind: 'altered', label: r.label, message: `${r.label} was altered: its content no longer matches its hash` });
    }
    if (duplicates.has(i)) {
      issues.push({ kind: 'inserted', label: r.label, message: `${r.label} was inserted: it is a second copy of a record already present` });
      continue;
    }
    const before = i === 0 ? undefined : records[i - 1]!;
    const expected = before ? before.storedHash : null;
    if (r.prev === expected) continue;

    const j = r.prev === null ? undefined : indexOf.get(r.prev);
    if (j !== undefined && j > i) {
      const other = records[j]!;
      issues.push({
        kind: 'reordered',
        label: r.label,
        message: `${r.label} and ${other.label} were reordered: ${r.label} comes before ${other.label}, which precedes it in the chain`,
      });
      continue;
    }
    if (j !== undefined && j < i - 1) {
      const fork = forkLoser(records, j, i);
      if (fork === 'later') {
        issues.push({
          kind: 'inserted',
          label: r.label,
          message: `${r.label} was inserted: it names ${records[j]!.label} as its predecessor, which ${records[j + 1]!.label} already follows`,
        });
        continue;
      }
      // The records between r's real predecessor and r are not part of r's line of descent.
      for (let k = j + 1; k < i; k++) {
        if (fork === 'between') {
          issues.push({ kind: 'inserted', label: records[k]!.label, message: `${records[k]!.label} was inserted: ${r.label} still follows ${records[j]!.label}` });
          continue;
        }
        const between = records[k]!;
        if (!referenced.has(between.storedHash) && !duplicates.has(k)) {
          issues.push({
            kind: 'inserted',
            label: between.label,
            message: `${between.label} was inserted: no record names it as its predecessor`,
          });
        }
      }
      continue;
    }
    if (j !== undefined) continue;
    if (r.prev === null) {
      // Only reachable for i > 0: a record that claims to start the chain, in the middle of it.
      if (!referenced.has(r.storedHash)) {
        issues.push({ kind: 'inserted', label: r.label, message: `${r.label} was inserted: it claims to be the first record but follows ${before!.label}` });
      }
      continue;
    }
    // The predecessor r names is nowhere in the chain.
    const from = before ? before.position + 1 : options.firstPosition;
    const to = r.position - 1;
    if (from !== undefined && to >= from) {
      const missing = from === to ? nameMissing(from) : `${nameMissing(from)} to ${nameMissing(to)}`;
      issues.push({
        kind: 'removed',
        label: missing,
        message: `${missing} ${from === to ? 'was' : 'were'} removed: ${r.label} names a predecessor that is not present`,
      });
    } else if (before) {
      issues.push({
        kind: 'altered',
        label: before.label,
        message: `${before.label} was altered or replaced: ${r.label} names a different predecessor (its hash was recomputed after an edit)`,
      });
    } else {
      issues.push({ kind: 'removed', label: r.label, message: `records before ${r.label} were removed: it names a predecessor that is not present` });
    }
  }
  return issues;
}

/**
 * Two branches claim the same predecessor j: the records between j and i (when they form a chain
 * from j) and the branch starting at i. The shorter one is the forgery: a record slipped in beside a
 * longer history it cannot have replaced. Returns undefined when the records between are not such a
 * chain (then they are out of place, which the reorder and orphan checks explain).
 */
function forkLoser(records: readonly LinkInput[], j: number, i: number): 'between' | 'later' | undefined {
  for (let k = j + 1; k < i; k++) {
    if (records[k]!.prev !== records[k - 1]!.storedHash) return undefined;
  }
  let laterLength = 1;
  for (let k = i + 1; k < records.length && records[k]!.prev === records[k - 1]!.storedHash; k++) laterLength++;
  return laterLength < i - 1 - j ? 'later' : 'between';
}
