import { createPublicKey, type KeyObject } from 'node:crypto';
import { compactVerify, decodeProtectedHeader } from 'jose';
import { z } from 'zod';
import type { VerificationProblem, VerificationProblemKind, VerificationReport } from '../../../shared/channels/provenance';
import { formatPath } from '../../../shared/errors';
import { canonicalJson, sha256Hex } from './canonical';
import { checkChain, type LinkInput } from './chain-check';
import { contentEntries, eventHash, eventLabel, labelOfPath, sectionOf, type ComputedEntry } from './bundle-entries';
import { Bundle, Manifest, type BundleEvent, type ManifestEntry, type SectionItem } from './bundle-schema';
import { EVENT_SECTIONS, SECTION_EVENT_MATCHERS, isDecision } from './decisions';
import { JWS_ALG } from './jws';
import { jwkThumbprint, type PublicJwk } from './keys';

export type VerifyBundleOptions = {
  /**
   * Public keys the verifier trusts (the signer's key, or a whole key history). When given, anything
   * signed by another key fails as re-signed. Without them the bundle's own keys are used, and all
   * signatures must come from the key that signed the task's first record or its endorsed successors.
   */
  trustedKeys?: readonly PublicJwk[];
};

const Statement = z.object({
  typ: z.enum(['agent-agency/decision', 'agent-agency/task-head']),
  taskId: z.string(),
  seq: z.number().int(),
  taskSeq: z.number().int(),
  recordHash: z.string(),
});

const RotationStatement = z.object({
  typ: z.literal('agent-agency/key-rotation'),
  previousKid: z.string(),
  kid: z.string(),
});

/**
 * Verifies an audit bundle offline: no database, no network, no files — only the bundle and,
 * optionally, trusted public keys. Checks the manifest signature, every entry's hash against the
 * signed manifest, the hash chain of the records, every signature and what it signs, and names each
 * element that was altered, removed, inserted, reordered or re-signed with another key.
 */
export async function verifyBundle(input: unknown, options: VerifyBundleOptions = {}): Promise<VerificationReport> {
  const findings = new Findings();
  const warnings: string[] = [];

  let raw = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input);
    } catch {
      findings.add('malformed', 'bundle', 'the bundle is not JSON');
      return findings.report({ taskId: null, warnings, signers: [], checked: { entries: 0, events: 0, signatures: 0 }, chainHead: null });
    }
  }
  const parsed = Bundle.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = formatPath(issue.path) || 'bundle';
      findings.add('malformed', path, `${path}: ${issue.message}`);
    }
    return findings.report({ taskId: null, warnings, signers: [], checked: { entries: 0, events: 0, signatures: 0 }, chainHead: null });
  }
  const bundle = parsed.data;
  const { content } = bundle;
  const events = content.events ?? [];
  const signatures = content.signatures ?? [];

  // Keys: the bundle's own (indexed by their true thumbprint), and the trusted ones.
  const bundleKeys = new Map<string, KeyObject>();
  (content.publicKeys ?? []).forEach((k, i) => {
    const thumb = jwkThumbprint(k.jwk);
    if (thumb !== k.kid) {
      findings.add('altered', `publicKeys[${i}]`, `publicKeys[${i}] was altered: its id ${k.kid} is not the thumbprint of its key (${thumb})`);
    }
    bundleKeys.set(thumb, createPublicKey({ key: k.jwk, format: 'jwk' }));
  });
  const trusted = options.trustedKeys
    ? new Map(options.trustedKeys.map((jwk) => [jwkThumbprint(jwk), createPublicKey({ key: jwk, format: 'jwk' })]))
    : undefined;
  const known = new Map([...bundleKeys, ...(trusted ?? [])]);
  const uses: { kid: string; element: string; createdAt: number | null }[] = [];

  const checkJws = async (jws: string, element: string, what: string, createdAt: number | null) => {
    let header;
    try {
      header = decodeProtectedHeader(jws);
    } catch {
      findings.add('malformed', element, `${what} is not a compact JWS`);
      return undefined;
    }
    if (header.alg !== JWS_ALG) {
      findings.add('invalid_signature', element, `${what} uses algorithm ${String(header.alg)}, not ${JWS_ALG}`);
      return undefined;
    }
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    const key = kid === undefined ? undefined : known.get(kid);
    if (kid !== undefined && key) {
      const payload = await tryVerify(jws, key);
      if (payload !== undefined) {
        uses.push({ kid, element, createdAt });
        return { kid, payload };
      }
    }
    for (const [otherKid, other] of known) {
      if (otherKid === kid) continue;
      if ((await tryVerify(jws, other)) !== undefined) {
        findings.add('resigned', element, `${what} was signed with key ${otherKid}, not with key ${kid ?? '(none)'} named in its header`);
        return undefined;
      }
    }
    if (kid === undefined) findings.add('invalid_signature', element, `${what} names no key`);
    else if (!key) findings.add('resigned', element, `${what} is signed with key ${kid}, which is neither in the bundle nor trusted: its public key was removed, or someone else signed it`);
    else findings.add('invalid_signature', element, `${what} does not verify with key ${kid}: the signature or what it signs was altered`);
    return undefined;
  };

  // 1. The manifest: its signature, and whether it is still what was signed.
  let reference: Manifest = bundle.manifest;
  const signedManifest = await checkJws(bundle.manifestSignature, 'manifest', 'the manifest signature', null);
  if (signedManifest) {
    const signed = Manifest.safeParse(safeJson(signedManifest.payload));
    if (!signed.success) {
      findings.add('malformed', 'manifest', 'the signed manifest is not a manifest this version understands');
    } else {
      if (canonicalJson(signed.data) !== canonicalJson(bundle.manifest)) {
        findings.add('altered', 'manifest', `the manifest was altered after it was signed: ${describeManifestChange(signed.data, bundle.manifest)}`);
      }
      reference = signed.data;
    }
  }

  // 2. The hash chain of the task's records.
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

  // 3. Signatures of decisions and heads, and what they sign.
  const bySeq = new Map(events.map((e) => [e.seq, e]));
  const lastTaskSeq = events.reduce((m, e) => Math.max(m, e.taskSeq), 0);
  const listedDecisions = new Set(signatures.filter((s) => s.kind === 'decision').map((s) => s.subjectHash));
  for (let i = 0; i < signatures.length; i++) {
    const s = signatures[i]!;
    const element = `signatures[${i}]`;
    const what = `${element} (${s.kind} of event #${s.subjectTaskSeq ?? '?'})`;
    const verified = await checkJws(s.jws, element, what, s.createdAt);
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
  for (const e of events) {
    if (isDecision(e.type, e.payload) && !listedDecisions.has(e.recordHash)) {
      findings.add('unsigned', eventLabel(e), `${eventLabel(e)} is a decision but the bundle holds no signature of it`);
    }
  }

  // 4. Every entry against the signed manifest: altered, removed, added, reordered.
  const actual = contentEntries(content);
  compareEntries(findings, reference.entries, actual);

  // 5. Sections taken from records must match them, and hold every record they should.
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

  // 6. Texts kept with their own hash.
  if (content.patch && sha256Hex(Buffer.from(content.patch.text, content.patch.encoding)) !== content.patch.sha256) {
    findings.add('altered', 'patch', 'patch was altered: its text does not match its recorded sha256');
  }
  if (content.spec && sha256Hex(content.spec.yaml) !== content.spec.sha256) {
    findings.add('altered', 'spec', 'spec was altered: its text does not match its recorded sha256');
  }

  // 7. Who signed: trusted keys, or one lineage of keys within the bundle.
  const signers = [...new Set(uses.map((u) => u.kid))].map((kid) => ({ kid, trusted: trusted ? trusted.has(kid) : null }));
  if (trusted) {
    for (const u of uses) {
      if (!trusted.has(u.kid)) findings.add('resigned', u.element, `${u.element} was signed with key ${u.kid}, which is not a trusted key`);
    }
  } else {
    warnings.push(
      'no trusted key was given: signatures were checked against the keys inside the bundle; pass the signer\'s public key to rule out a bundle re-signed by someone else',
    );
    const lineage = await keyLineage(uses, content.publicKeys ?? [], bundleKeys);
    for (const u of uses) {
      if (lineage.root !== undefined && !lineage.members.has(u.kid)) {
        findings.add(
          'resigned',
          u.element,
          `${u.element} was re-signed with another key: ${u.kid} is neither the key that signed this task's first record (${lineage.root}) nor a successor it endorsed`,
        );
      }
    }
  }

  return findings.report({
    taskId: reference.taskId,
    warnings,
    signers,
    checked: { entries: actual.length, events: events.length, signatures: signatures.length + 1 },
    chainHead: reference.chainHead,
  });
}

class Findings {
  private readonly problems: VerificationProblem[] = [];
  private readonly seen = new Set<string>();

  /** The first finding about an element wins: it is the most specific one. */
  add(kind: VerificationProblemKind, element: string, message: string): void {
    const key = `${kind}\u0000${element}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.problems.push({ kind, element, message });
  }

  report(rest: Omit<VerificationReport, 'ok' | 'problems'>): VerificationReport {
    return { ok: this.problems.length === 0, problems: this.problems, ...rest };
  }
}

async function tryVerify(jws: string, key: KeyObject): Promise<string | undefined> {
  try {
    const { payload } = await compactVerify(jws, key, { algorithms: [JWS_ALG] });
    return new TextDecoder().decode(payload);
  } catch {
    return undefined;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A truncated or extended record list shows against the head the manifest was signed with. */
function checkHead(findings: Findings, events: readonly BundleEvent[], head: Manifest['chainHead']): void {
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

function compareEntries(findings: Findings, expected: readonly ManifestEntry[], actual: readonly ComputedEntry[]): void {
  const sections = new Set([...expected.map((e) => sectionOf(e.path)), ...actual.map((a) => a.section as string)]);
  for (const section of sections) {
    compareSection(
      findings,
      expected.filter((e) => sectionOf(e.path) === section),
      actual.filter((a) => a.section === section),
    );
  }
}

function compareSection(findings: Findings, expected: readonly ManifestEntry[], actual: readonly ComputedEntry[]): void {
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

function countHashes(entries: readonly { sha256: string }[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const e of entries) m.set(e.sha256, (m.get(e.sha256) ?? 0) + 1);
  return m;
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

/**
 * The keys that may sign this task's records without a trust anchor: the key of the earliest
 * signature, and every key it endorsed in a rotation (transitively). A rotation endorsement is the
 * previous key's JWS over the next key's id.
 */
async function keyLineage(
  uses: readonly { kid: string; createdAt: number | null }[],
  keys: readonly { kid: string; endorsement: string | null }[],
  bundleKeys: ReadonlyMap<string, KeyObject>,
): Promise<{ root: string | undefined; members: Set<string> }> {
  const dated = uses.filter((u) => u.createdAt !== null).sort((a, b) => a.createdAt! - b.createdAt!);
  const root = (dated[0] ?? uses[0])?.kid;
  const members = new Set<string>(root ? [root] : []);
  let grew = true;
  while (grew) {
    grew = false;
    for (const k of keys) {
      if (members.has(k.kid) || !k.endorsement) continue;
      for (const m of members) {
        const key = bundleKeys.get(m);
        if (!key) continue;
        const payload = await tryVerify(k.endorsement, key);
        const st = payload === undefined ? undefined : RotationStatement.safeParse(safeJson(payload));
        if (st?.success && st.data.kid === k.kid && st.data.previousKid === m && jwkThumbprintMatches(k.kid, bundleKeys)) {
          members.add(k.kid);
          grew = true;
          break;
        }
      }
    }
  }
  return { root, members };
}

/** A key's entry counts only if its id is the thumbprint of a key the bundle really carries. */
function jwkThumbprintMatches(kid: string, bundleKeys: ReadonlyMap<string, KeyObject>): boolean {
  return bundleKeys.has(kid);
}
