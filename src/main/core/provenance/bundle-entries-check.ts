import { eventLabel, labelOfPath, sectionOf, type ComputedEntry } from './bundle-entries';
import type { Findings } from './bundle-findings';
import type { BundleEvent, Manifest, ManifestEntry } from './bundle-schema';

/* The bundle's entries and record list against the signed manifest: altered, removed, added, reordered. */

/** A truncated or extended record list shows against the head the manifest was signed with. */
export function checkHead(findings: Findings, events: readonly BundleEvent[], head: Manifest['chainHead']): void {
  const last = events.reduce<BundleEvent | undefined>((m, e) => (!m || e.taskSeq > m.taskSeq ? e : m), undefined);
  if (!head) {
    if (last) findings.add('inserted', eventLabel(last), `${eventLabel(last)} was inserted: the signed manifest says the task had no records`);
    return;
  }
  if (!last || last.taskSeq < head.taskSeq) {
    const from = (last?.taskSeq ?? 0) + 1;
    const element = from === head.taskSeq ? `event #${from}` : `event #${from} to event #${head.taskSeq}`;
    findings.add('removed', element, `${element} ${from === head.taskSeq ? 'was' : 'were'} removed: the signed chain head is event #${head.taskSeq}`);
    return;
  }
  if (last.taskSeq > head.taskSeq) {
    findings.add('inserted', eventLabel(last), `${eventLabel(last)} was inserted after the signed chain head (event #${head.taskSeq})`);
    return;
  }
  if (last.recordHash !== head.recordHash) {
    findings.add('altered', eventLabel(last), `${eventLabel(last)} was altered or replaced: it is not the signed chain head`);
  }
}

export function compareEntries(findings: Findings, expected: readonly ManifestEntry[], actual: readonly ComputedEntry[]): void {
  const sections = new Set([...expected.map((e) => sectionOf(e.path)), ...actual.map((a) => a.section as string)]);
  for (const section of sections) {
    compareSection(
      findings,
      expected.filter((e) => sectionOf(e.path) === section),
      actual.filter((a) => a.section === section),
    );
  }
}

export function compareSection(findings: Findings, expected: readonly ManifestEntry[], actual: readonly ComputedEntry[]): void {
  const unmatchedActual = countHashes(actual);
  const missing: ManifestEntry[] = [];
  for (const e of expected) {
    const n = unmatchedActual.get(e.sha256) ?? 0;
    if (n > 0) unmatchedActual.set(e.sha256, n - 1);
    else missing.push(e);
  }
  const unmatchedExpected = countHashes(expected);
  const extra: ComputedEntry[] = [];
  for (const a of actual) {
    const n = unmatchedExpected.get(a.sha256) ?? 0;
    if (n > 0) unmatchedExpected.set(a.sha256, n - 1);
    else extra.push(a);
  }
  const missingByPath = new Map(missing.map((m) => [m.path, m]));
  for (const a of extra) {
    if (missingByPath.delete(a.path)) {
      findings.add('altered', a.label, `${a.label} was altered: its hash differs from the one in the signed manifest`);
    } else {
      findings.add('inserted', a.label, `${a.label} was added: the signed manifest does not list it`);
    }
  }
  for (const m of missingByPath.values()) {
    const label = labelOfPath(m.path);
    findings.add('removed', label, `${label} was removed: the signed manifest lists it but the bundle does not contain it`);
  }
  // Order of what both have.
  const missingSet = new Set(missing);
  const extraSet = new Set(extra);
  const exp = expected.filter((e) => !missingSet.has(e)).map((e) => e.sha256);
  const act = actual.filter((a) => !extraSet.has(a));
  const done = new Set<number>();
  for (let i = 0; i < act.length && i < exp.length; i++) {
    if (done.has(i) || act[i]!.sha256 === exp[i]) continue;
    const j = act.findIndex((a, k) => k > i && a.sha256 === exp[i]);
    if (j !== -1 && exp[j] === act[i]!.sha256) {
      done.add(j);
      findings.add('reordered', act[i]!.label, `${act[i]!.label} and ${act[j]!.label} were swapped: the signed manifest lists them the other way round`);
    } else {
      findings.add('reordered', act[i]!.label, `${act[i]!.label} is out of order: the signed manifest lists it elsewhere`);
    }
  }
}

export function countHashes(entries: readonly { sha256: string }[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const e of entries) m.set(e.sha256, (m.get(e.sha256) ?? 0) + 1);
  return m;
}
