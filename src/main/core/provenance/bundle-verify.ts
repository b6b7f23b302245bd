import type { VerificationReport } from '../../../shared/channels/provenance';
import { formatPath } from '../../../shared/errors';
import { canonicalJson, sha256Hex } from '../db/canonical';
import { checkChain, type LinkInput } from './chain-check';
import { contentEntries, eventHash, eventLabel } from './bundle-entries';
import { checkHead, compareEntries } from './bundle-entries-check';
import { Findings, safeJson } from './bundle-findings';
import { checkClaims } from './bundle-claims-check';
import { checkSourceFiles, checkSourceLinks } from './bundle-source-files';
import { checkTrace } from './bundle-trace-check';
import { Bundle, Manifest, type BundleContent, type BundleEvent, type SectionItem } from './bundle-schema';
import { keyLineage, SignatureChecker, Statement } from './bundle-signatures';
import { EVENT_SECTIONS, SECTION_EVENT_MATCHERS, isDecision } from './decisions';
import type { PublicJwk } from './keys';

export type VerifyBundleOptions = {
  /**
   * Public keys the verifier trusts (the signer's key, or a whole key history). When given, anything
   * signed by another key fails as re-signed. Without them the bundle's own keys are used, and all
   * signatures must come from the key that signed the task's first record or its endorsed successors.
   */
  trustedKeys?: readonly PublicJwk[];
  /**
   * A directory holding the files the bundle's sources name (the workspace or repository, attachments
   * by name): each is hashed and compared with the versions listed. Without it they are not checked.
   */
  sourcesDir?: string;
};

/**
 * Verifies an audit bundle offline: no database, no network — only the bundle, optionally trusted
 * public keys, and optionally a directory of the source files it lists (read only when given). Checks the manifest signature, every entry's hash against the
 * signed manifest, the hash chain of the records, every signature and what it signs, and names each
 * element that was altered, removed, inserted, reordered or re-signed with another key.
 */
export async function verifyBundle(input: unknown, options: VerifyBundleOptions = {}): Promise<VerificationReport> {
  const findings = new Findings();
  const warnings: string[] = [];
  const bundle = parseBundle(input, findings);
  if (!bundle) return findings.report({ taskId: null, warnings, signers: [], checked: { entries: 0, events: 0, signatures: 0 }, chainHead: null });
  const { content } = bundle;
  const events = content.events ?? [];
  const signatures = content.signatures ?? [];
  const keys = new SignatureChecker(findings, content.publicKeys, options.trustedKeys);

  const reference = await checkManifest(bundle, keys, findings);
  const forged = checkRecordChain(events, reference, findings);
  await checkSignatures(content, events, reference, keys, findings);
  checkDecisionsSigned(events, signatures, findings);
  const actual = contentEntries(content);
  compareEntries(findings, reference.entries, actual);
  checkSections(content, events, forged, findings);
  checkTexts(content, findings);
  if (content.trace) checkTrace(content.trace, reference.taskId, events, findings, warnings);
  if (content.claims) checkClaims(content.claims, reference.taskId, findings);
  if (content.sourceIntegrity) checkSourceLinks(content.sourceIntegrity, content.claims ?? [], findings);
  const signers = await checkSigners(content, keys, findings, warnings);
  const sources = await checkSources(content, options.sourcesDir, findings, warnings);

  return findings.report({
    ...(sources ? { sources } : {}),
    taskId: reference.taskId,
    warnings,
    signers,
    checked: { entries: actual.length, events: events.length, signatures: signatures.length + 1 },
    chainHead: reference.chainHead,
  });
}

/** The bundle as its schema reads it, or undefined with a finding for each malformed part. */
function parseBundle(input: unknown, findings: Findings): Bundle | undefined {
  let raw = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input);
    } catch {
      findings.add('malformed', 'bundle', 'the bundle is not JSON');
      return undefined;
    }
  }
  const parsed = Bundle.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = formatPath(issue.path) || 'bundle';
      findings.add('malformed', path, `${path}: ${issue.message}`);
    }
    return undefined;
  }
  return parsed.data;
}

/** 1. The manifest: its signature, and whether it is still what was signed. Returns the manifest to check against. */
async function checkManifest(bundle: Bundle, keys: SignatureChecker, findings: Findings): Promise<Manifest> {
  const signedManifest = await keys.check(bundle.manifestSignature, 'manifest', 'the manifest signature', null);
  if (!signedManifest) return bundle.manifest;
  const signed = Manifest.safeParse(safeJson(signedManifest.payload));
  if (!signed.success) {
    findings.add('malformed', 'manifest', 'the signed manifest is not a manifest this version understands');
    return bundle.manifest;
  }
  if (canonicalJson(signed.data) !== canonicalJson(bundle.manifest)) {
    findings.add('altered', 'manifest', `the manifest was altered after it was signed: ${describeManifestChange(signed.data, bundle.manifest)}`);
  }
  return signed.data;
}

/** 2. The hash chain of the task's records and its signed head. Returns the labels of records found inserted. */
function checkRecordChain(events: readonly BundleEvent[], reference: Manifest, findings: Findings): Set<string> {
  const links: LinkInput[] = events.map((e) => ({
    position: e.taskSeq,
    label: eventLabel(e),
    storedHash: e.recordHash,
    computedHash: eventHash(e),
    prev: e.taskPrevHash,
  }));
  const forged = new Set<string>();
  for (const issue of checkChain(links, { firstPosition: 1, nameMissing: (p) => `event #${p}` })) {
    findings.add(issue.kind, issue.label, issue.message);
    if (issue.kind === 'inserted') forged.add(issue.label);
  }
  for (const e of events) {
    if (e.taskId !== reference.taskId) {
      findings.add('inserted', eventLabel(e), `${eventLabel(e)} was inserted: it belongs to task ${e.taskId}, not ${reference.taskId}`);
    }
  }
  checkHead(findings, events, reference.chainHead);
  return forged;
}

/** 3. Signatures of decisions and heads, and what they sign. */
async function checkSignatures(
  content: BundleContent,
  events: readonly BundleEvent[],
  reference: Manifest,
  keys: SignatureChecker,
  findings: Findings,
): Promise<void> {
  const signatures = content.signatures ?? [];
  const bySeq = new Map(events.map((e) => [e.seq, e]));
  const lastTaskSeq = events.reduce((m, e) => Math.max(m, e.taskSeq), 0);
  for (let i = 0; i < signatures.length; i++) {
    const s = signatures[i]!;
    const element = `signatures[${i}]`;
    const what = `${element} (${s.kind} of event #${s.subjectTaskSeq ?? '?'})`;
    const verified = await keys.check(s.jws, element, what, s.createdAt);
    if (!verified) continue;
    const statement = Statement.safeParse(safeJson(verified.payload));
    if (!statement.success || statement.data.typ !== `agent-agency/${s.kind}`) {
      findings.add('altered', element, `${what} was altered: its signed statement is not a ${s.kind} signature`);
      continue;
    }
    const st = statement.data;
    if (verified.kid !== s.kid || st.recordHash !== s.subjectHash || st.seq !== s.subjectSeq || st.taskSeq !== s.subjectTaskSeq) {
      findings.add('altered', element, `${what} was altered: its listing does not match what the signature signs`);
    }
    if (st.taskId !== reference.taskId) {
      findings.add('inserted', element, `${what} was inserted: it signs a record of task ${st.taskId}`);
      continue;
    }
    const event = bySeq.get(st.seq);
    if (!event) {
      if (st.taskSeq > lastTaskSeq) {
        findings.add('removed', `event #${st.taskSeq}`, `events after #${lastTaskSeq} were removed: ${element} signs event #${st.taskSeq}`);
      } else {
        findings.add('removed', `event #${st.taskSeq}`, `event #${st.taskSeq} was removed: ${element} signs it`);
      }
      continue;
    }
    if (event.recordHash !== st.recordHash || eventHash(event) !== st.recordHash) {
      findings.add('altered', eventLabel(event), `${eventLabel(event)} was altered after it was signed (${element})`);
    }
  }
}

/** Every decision record has a signature listed. */
function checkDecisionsSigned(events: readonly BundleEvent[], signatures: NonNullable<BundleContent['signatures']>, findings: Findings): void {
  const listedDecisions = new Set(signatures.filter((s) => s.kind === 'decision').map((s) => s.subjectHash));
  for (const e of events) {
    if (isDecision(e.type, e.payload) && !listedDecisions.has(e.recordHash)) {
      findings.add('unsigned', eventLabel(e), `${eventLabel(e)} is a decision but the bundle holds no signature of it`);
    }
  }
}

/** 5. Sections taken from records must match them, and hold every record they should. */
function checkSections(content: BundleContent, events: readonly BundleEvent[], forged: ReadonlySet<string>, findings: Findings): void {
  const bySeq = new Map(events.map((e) => [e.seq, e]));
  for (const section of EVENT_SECTIONS) {
    const items: SectionItem[] = content[section] ?? [];
    const taken = new Set<number>();
    items.forEach((item, i) => {
      if (item.source !== 'event') return;
      taken.add(item.seq);
      const event = bySeq.get(item.seq);
      if (!event) return; // the chain checks already name a missing record
      if (event.type !== item.type || event.taskSeq !== item.taskSeq || canonicalJson(event.payload) !== canonicalJson(item.data)) {
        findings.add('altered', `${section}[${i}]`, `${section}[${i}] was altered: it differs from ${eventLabel(event)} it was taken from`);
      }
    });
    for (const e of events) {
      if (SECTION_EVENT_MATCHERS[section](e.type) && !taken.has(e.seq) && !forged.has(eventLabel(e))) {
        findings.add('removed', `${section} (${eventLabel(e)})`, `${section} no longer holds ${eventLabel(e)}: its entry was removed`);
      }
    }
  }
}

/** 6. Texts kept with their own hash. */
function checkTexts(content: BundleContent, findings: Findings): void {
  if (content.patch && sha256Hex(Buffer.from(content.patch.text, content.patch.encoding)) !== content.patch.sha256) {
    findings.add('altered', 'patch', 'patch was altered: its text does not match its recorded sha256');
  }
  if (content.spec && sha256Hex(content.spec.yaml) !== content.spec.sha256) {
    findings.add('altered', 'spec', 'spec was altered: its text does not match its recorded sha256');
  }
}

/** 8. The source files, when a directory of them is given; otherwise the report says they were not checked. */
async function checkSources(content: BundleContent, dir: string | undefined, findings: Findings, warnings: string[]): Promise<VerificationReport['sources']> {
  const items = content.sourceIntegrity ?? [];
  if (items.length === 0) return undefined;
  // Not a warning: the report says they were not checked, and the CLI says how to check them.
  if (dir === undefined) return { listed: items.length, checked: false, files: [] };
  return { listed: items.length, checked: true, files: await checkSourceFiles(items, dir, findings, warnings) };
}

/** 7. Who signed: trusted keys, or one lineage of keys within the bundle. */
async function checkSigners(
  content: BundleContent,
  keys: SignatureChecker,
  findings: Findings,
  warnings: string[],
): Promise<VerificationReport['signers']> {
  const { uses, trusted } = keys;
  const signers = [...new Set(uses.map((u) => u.kid))].map((kid) => ({ kid, trusted: trusted ? trusted.has(kid) : null }));
  if (trusted) {
    for (const u of uses) {
      if (!trusted.has(u.kid)) findings.add('resigned', u.element, `${u.element} was signed with key ${u.kid}, which is not a trusted key`);
    }
    return signers;
  }
  warnings.push(
    'no trusted key was given: signatures were checked against the keys inside the bundle; pass the signer\'s public key to rule out a bundle re-signed by someone else',
  );
  const lineage = await keyLineage(uses, content.publicKeys ?? [], keys.bundleKeys);
  for (const u of uses) {
    if (lineage.root !== undefined && !lineage.members.has(u.kid)) {
      findings.add(
        'resigned',
        u.element,
        `${u.element} was re-signed with another key: ${u.kid} is neither the key that signed this task's first record (${lineage.root}) nor a successor it endorsed`,
      );
    }
  }
  return signers;
}

function describeManifestChange(signed: Manifest, present: Manifest): string {
  const changed: string[] = [];
  for (const key of Object.keys(signed) as (keyof Manifest)[]) {
    if (key === 'entries') continue;
    if (canonicalJson(signed[key]) !== canonicalJson(present[key])) changed.push(key);
  }
  const before = new Map(signed.entries.map((e) => [e.path, e.sha256]));
  const after = new Map(present.entries.map((e) => [e.path, e.sha256]));
  for (const [path, hash] of before) {
    if (!after.has(path)) changed.push(`entry ${path} removed`);
    else if (after.get(path) !== hash) changed.push(`entry ${path} changed`);
  }
  for (const path of after.keys()) if (!before.has(path)) changed.push(`entry ${path} added`);
  if (changed.length === 0) changed.push('entries reordered');
  return changed.join(', ');
}
