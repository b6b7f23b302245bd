import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCore } from '../../../../test/helpers';
import type { VerificationProblemKind, VerificationReport } from '../../../shared/channels/provenance';
import { sha256Hex } from '../db/canonical';
import { hashRecord } from '../db/queries/chain';
import type { Bundle, BundleEvent } from './bundle-schema';
import { serializeBundle } from './bundle-export';
import { verifyBundle } from './bundle-verify';
import { signJws } from './jws';
import { forgeSignatures, otherKey } from './testing/attacker';
import { FIXTURE_PATCH, taskWithHistory } from './testing/fixture';

let core: ReturnType<typeof testCore>;
let original: Bundle;

beforeAll(async () => {
  core = testCore();
  const taskId = await taskWithHistory(core);
  original = (await core.provenance.exportBundle(taskId)).bundle;
});
afterAll(() => core?.cleanup());

const copy = (): Bundle => structuredClone(original);
const events = (b: Bundle): BundleEvent[] => b.content.events!;
const eventOfType = (b: Bundle, type: string): BundleEvent => events(b).find((e) => e.type === type)!;
const indexOfType = (b: Bundle, section: 'verdicts' | 'approvals', type: string): number =>
  b.content[section]!.findIndex((i) => i.source === 'event' && i.type === type);

function expectProblem(report: VerificationReport, kind: VerificationProblemKind, element: string | RegExp, message: RegExp): void {
  expect(report.ok).toBe(false);
  const match = report.problems.find(
    (p) => p.kind === kind && (typeof element === 'string' ? p.element === element : element.test(p.element)) && message.test(p.message),
  );
  expect(match, `expected a ${kind} problem about ${String(element)} matching ${String(message)}; got ${JSON.stringify(report.problems, null, 1)}`).toBeDefined();
}

describe('a clean bundle', () => {
  it('verifies, from the object and from the file text', async () => {
    for (const input of [original, serializeBundle(original)]) {
      const report = await verifyBundle(input);
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.taskId).toBe(original.manifest.taskId);
      expect(report.checked.events).toBe(13);
    }
  });

  it('verifies against the installation key as the trusted key', async () => {
    const report = await verifyBundle(original, { trustedKeys: core.provenance.keys.keys().map((k) => k.publicJwk) });
    expect(report.ok).toBe(true);
    expect(report.warnings).toEqual([]);
    expect(report.signers).toEqual([{ kid: core.provenance.keys.current().kid, trusted: true }]);
  });

  it('holds everything the issue lists: task, events, verdicts and votes, approvals with who, gates, patch, models, keys, signatures', () => {
    const c = original.content;
    expect(original.manifest.mode).toBe('dry-run');
    expect(c.task?.['id']).toBe(original.manifest.taskId);
    expect(c.events?.map((e) => e.type)).toContain('council.verdict');
    expect(c.verdicts?.some((v) => v.source === 'event' && v.type === 'council.verdict')).toBe(true);
    expect(c.votes?.filter((v) => v.source === 'event')).toHaveLength(4);
    const granted = c.approvals?.find((a) => a.source === 'event' && a.type === 'approval.granted');
    expect(granted?.data).toMatchObject({ gate: 'plan', actor: { who: 'alice', via: 'window' } });
    expect(c.gateResults).toHaveLength(1);
    expect(c.patch).toMatchObject({ text: FIXTURE_PATCH, encoding: 'utf8', sha256: sha256Hex(FIXTURE_PATCH) });
    expect(c.models).toEqual([{ name: 'qwen2.5-coder-7b-instruct-q4_k_m', fileSha256: null, quantization: null, source: 'journal' }]);
    expect(c.sourceIntegrity?.map((s) => s.kind)).toEqual(['read', 'written']);
    expect(c.publicKeys?.map((k) => k.kid)).toEqual([core.provenance.keys.current().kid]);
    // The plan approval and the verdict are decisions; the task's end is a signed head.
    expect(c.signatures?.map((s) => s.kind).sort()).toEqual(['decision', 'decision', 'task-head']);
    expect(c.spec).toBeNull(); // this task was never planned
    const lists = [c.events, c.verdicts, c.votes, c.approvals, c.gateResults, c.waivers, c.models, c.sourceIntegrity, c.signatures, c.publicKeys];
    // One manifest entry per item, plus the task and the patch.
    expect(original.manifest.entries).toHaveLength(2 + lists.reduce((n, l) => n + l!.length, 0));
  });
});

describe('an event', () => {
  it('altered: named as altered', async () => {
    const b = copy();
    const granted = eventOfType(b, 'approval.granted');
    (granted.payload as { actor: { who: string } }).actor.who = 'mallory';
    expectProblem(await verifyBundle(b), 'altered', `event #${granted.taskSeq} (approval.granted)`, /was altered: its content no longer matches its hash/);
  });

  it('altered with its hash recomputed: the next record still names the original', async () => {
    const b = copy();
    const e = eventOfType(b, 'gate.result');
    (e.payload as { status: string }).status = 'fail';
    e.recordHash = hashRecord(e);
    expectProblem(await verifyBundle(b), 'altered', `event #${e.taskSeq} (gate.result)`, /altered or replaced: event #\d+ \(artifact.produced\) names a different predecessor/);
  });

  it('removed: named by its number', async () => {
    const b = copy();
    const removed = events(b).splice(2, 1)[0]!;
    const report = await verifyBundle(b);
    expectProblem(report, 'removed', `event #${removed.taskSeq}`, /was removed: event #4 \(approval.requested\) names a predecessor that is not present/);
  });

  it('removed from the end: the signed chain head names it', async () => {
    const b = copy();
    events(b).pop();
    expectProblem(await verifyBundle(b), 'removed', 'event #13', /removed: the signed chain head is event #13/);
  });

  it('inserted: a forged record in the middle is named', async () => {
    const b = copy();
    const list = events(b);
    const before = list[5]!;
    const forged: BundleEvent = {
      ...before,
      seq: 999,
      type: 'approval.granted',
      payload: { gate: 'apply', actor: { who: 'mallory', via: 'api' } },
      taskPrevHash: before.recordHash,
      recordHash: '',
    };
    forged.recordHash = hashRecord(forged);
    list.splice(6, 0, forged);
    const report = await verifyBundle(b);
    expectProblem(report, 'inserted', `event #${forged.taskSeq} (approval.granted)`, /was inserted: event #7 \(council.vote\) still follows event #6 \(council.vote\)/);
    expect(report.problems.filter((p) => p.kind === 'removed')).toEqual([]);
    expectProblem(report, 'unsigned', `event #${forged.taskSeq} (approval.granted)`, /is a decision but the bundle holds no signature/);
  });
});

describe('the order of records', () => {
  it('two records swapped: named as reordered', async () => {
    const b = copy();
    const list = events(b);
    [list[6], list[7]] = [list[7]!, list[6]!];
    expectProblem(await verifyBundle(b), 'reordered', 'event #8 (council.vote)', /event #8 \(council.vote\) and event #7 \(council.vote\) were reordered/);
  });

  it('two manifest entries swapped: the manifest no longer matches its signature', async () => {
    const b = copy();
    const entries = b.manifest.entries;
    [entries[3], entries[4]] = [entries[4]!, entries[3]!];
    expectProblem(await verifyBundle(b), 'altered', 'manifest', /altered after it was signed: entries reordered/);
  });

  it('two section items swapped: named as swapped', async () => {
    const b = copy();
    const votes = b.content.votes!;
    [votes[0], votes[1]] = [votes[1]!, votes[0]!];
    expectProblem(await verifyBundle(b), 'reordered', 'votes[0]', /votes\[0\] and votes\[1\] were swapped/);
  });
});

describe('a verdict', () => {
  it('altered: named as altered', async () => {
    const b = copy();
    const i = indexOfType(b, 'verdicts', 'council.verdict');
    (b.content.verdicts![i]!.data as { decision: string }).decision = 'reject';
    const report = await verifyBundle(b);
    expectProblem(report, 'altered', `verdicts[${i}]`, /verdicts\[\d+\] was altered: its hash differs from the one in the signed manifest/);
    expectProblem(report, 'altered', `verdicts[${i}]`, /./);
  });

  it('removed: named as removed', async () => {
    const b = copy();
    const i = indexOfType(b, 'verdicts', 'council.verdict');
    b.content.verdicts!.splice(i, 1);
    const report = await verifyBundle(b);
    expectProblem(report, 'removed', `verdicts[${i}]`, /was removed: the signed manifest lists it/);
    expectProblem(report, 'removed', /^verdicts \(event #\d+ \(council.verdict\)\)$/, /verdicts no longer holds event #\d+ \(council.verdict\)/);
  });

  it('the verdict record itself changed and re-chained by a forger: its signature no longer covers it', async () => {
    const b = copy();
    const list = events(b);
    const at = list.findIndex((e) => e.type === 'council.verdict');
    (list[at]!.payload as { decision: string }).decision = 'reject';
    // The forger recomputes every hash after it so the chain looks whole.
    for (let i = at; i < list.length; i++) {
      if (i > at) list[i]!.taskPrevHash = list[i - 1]!.recordHash;
      list[i]!.recordHash = hashRecord(list[i]!);
    }
    const report = await verifyBundle(b);
    expectProblem(report, 'altered', `event #${list[at]!.taskSeq} (council.verdict)`, /altered after it was signed/);
  });
});

describe('an approval', () => {
  it('altered (who approved): named as altered', async () => {
    const b = copy();
    const i = indexOfType(b, 'approvals', 'approval.granted');
    (b.content.approvals![i]!.data as { actor: { who: string } }).actor.who = 'mallory';
    const report = await verifyBundle(b);
    expectProblem(report, 'altered', `approvals[${i}]`, /approvals\[\d+\] was altered/);
  });

  it('removed: named as removed', async () => {
    const b = copy();
    const i = indexOfType(b, 'approvals', 'approval.granted');
    b.content.approvals!.splice(i, 1);
    expectProblem(await verifyBundle(b), 'removed', `approvals[${i}]`, /was removed/);
  });

  it('altered in the section and the manifest, re-signed by a forger: the section no longer matches its record', async () => {
    const b = copy();
    const i = indexOfType(b, 'approvals', 'approval.granted');
    (b.content.approvals![i]!.data as { actor: { who: string } }).actor.who = 'mallory';
    const forged = await forgeSignatures(b, otherKey());
    const report = await verifyBundle(forged);
    expectProblem(report, 'altered', `approvals[${i}]`, /differs from event #5 \(approval.granted\) it was taken from/);
    expectProblem(report, 'resigned', 'manifest', /re-signed with another key/);
  });
});

describe('the patch', () => {
  it('altered: named as altered', async () => {
    const b = copy();
    b.content.patch!.text = b.content.patch!.text.replace('invalid email', 'whatever');
    const report = await verifyBundle(b);
    expectProblem(report, 'altered', 'patch', /patch was altered/);
  });

  it('replaced with its hash updated: the manifest names it', async () => {
    const b = copy();
    const text = '+ rm -rf /\n';
    b.content.patch = { ...b.content.patch!, text, sha256: sha256Hex(text) };
    expectProblem(await verifyBundle(b), 'altered', 'patch', /patch was altered: its hash differs from the one in the signed manifest/);
  });

  it('removed: named as removed', async () => {
    const b = copy();
    b.content.patch = null;
    expectProblem(await verifyBundle(b), 'removed', 'patch', /patch was removed: the signed manifest lists it/);
  });
});

describe('the manifest', () => {
  it('altered: says which field changed after signing', async () => {
    const b = copy();
    b.manifest.mode = 'auto';
    expectProblem(await verifyBundle(b), 'altered', 'manifest', /the manifest was altered after it was signed: mode/);
  });

  it('an entry hash altered: named', async () => {
    const b = copy();
    const entry = b.manifest.entries.find((e) => e.path === 'patch')!;
    entry.sha256 = sha256Hex('something else');
    expectProblem(await verifyBundle(b), 'altered', 'manifest', /entry patch changed/);
  });

  it('an entry removed: named', async () => {
    const b = copy();
    b.manifest.entries = b.manifest.entries.filter((e) => e.path !== 'events/5');
    expectProblem(await verifyBundle(b), 'altered', 'manifest', /entry events\/5 removed/);
  });

  it('missing altogether: the bundle is malformed', async () => {
    const b = copy() as Partial<Bundle>;
    delete b.manifest;
    expectProblem(await verifyBundle(b), 'malformed', 'manifest', /manifest/);
  });
});

describe('a signature', () => {
  it('the manifest signature altered: invalid', async () => {
    const b = copy();
    const [h, p, s] = b.manifestSignature.split('.');
    b.manifestSignature = `${h}.${p}.${s!.startsWith('A') ? 'B' : 'A'}${s!.slice(1)}`;
    expectProblem(await verifyBundle(b), 'invalid_signature', 'manifest', /does not verify with key/);
  });

  it('a decision signature altered: invalid, named by index and subject', async () => {
    const b = copy();
    const i = b.content.signatures!.findIndex((s) => s.kind === 'decision');
    const sig = b.content.signatures![i]!;
    const [h, p, s] = sig.jws.split('.');
    sig.jws = `${h}.${p}.${s!.startsWith('A') ? 'B' : 'A'}${s!.slice(1)}`;
    const report = await verifyBundle(b);
    expectProblem(report, 'invalid_signature', `signatures[${i}]`, /signatures\[\d+\] \(decision of event #\d+\) does not verify/);
  });

  it('a decision signature removed: the decision is unsigned and the entry removed', async () => {
    const b = copy();
    const i = b.content.signatures!.findIndex((s) => s.kind === 'decision');
    const [removed] = b.content.signatures!.splice(i, 1);
    const report = await verifyBundle(b);
    const subject = events(b).find((e) => e.recordHash === removed!.subjectHash)!;
    expectProblem(report, 'unsigned', `event #${subject.taskSeq} (${subject.type})`, /is a decision but the bundle holds no signature of it/);
    expectProblem(report, 'removed', `signatures[${i}]`, /was removed/);
  });

  it('a signature moved to another record: its listing does not match what it signs', async () => {
    const b = copy();
    const sigs = b.content.signatures!;
    const a = sigs.findIndex((s) => s.kind === 'decision');
    const other = events(b).find((e) => e.type === 'council.vote')!;
    sigs[a] = { ...sigs[a]!, subjectHash: other.recordHash, subjectSeq: other.seq, subjectTaskSeq: other.taskSeq };
    expectProblem(await verifyBundle(b), 'altered', `signatures[${a}]`, /listing does not match what the signature signs/);
  });

  it('signatures swapped: named as swapped', async () => {
    const b = copy();
    const sigs = b.content.signatures!;
    expect(sigs.length).toBeGreaterThanOrEqual(2);
    [sigs[0], sigs[1]] = [sigs[1]!, sigs[0]!];
    expectProblem(await verifyBundle(b), 'reordered', 'signatures[0]', /signatures\[0\] and signatures\[1\] were swapped/);
  });

  it('the header names the real key but another key signed: named as re-signed', async () => {
    const b = copy();
    const forger = otherKey();
    const kid = core.provenance.keys.current().kid;
    b.content.publicKeys!.push({ kid: forger.kid, jwk: forger.jwk, createdAt: 0, retiredAt: null, endorsement: null });
    b.manifestSignature = await signJws(b.manifest, forger.key, kid);
    expectProblem(await verifyBundle(b), 'resigned', 'manifest', new RegExp(`signed with key ${forger.kid}, not with key ${kid} named in its header`));
  });
});

describe('a bundle signed by another key', () => {
  it('fails: the manifest re-signed by a key the task never used', async () => {
    const forger = otherKey();
    const forged = await forgeSignatures(copy(), forger);
    const report = await verifyBundle(forged);
    expectProblem(report, 'resigned', 'manifest', new RegExp(`re-signed with another key: ${forger.kid} is neither the key that signed this task's first record`));
  });

  it('fails against the trusted key even when every signature was redone with the other key', async () => {
    const forger = otherKey();
    const forged = await forgeSignatures(copy(), forger, true);
    const trustedKeys = core.provenance.keys.keys().map((k) => k.publicJwk);
    const report = await verifyBundle(forged, { trustedKeys });
    expectProblem(report, 'resigned', 'manifest', new RegExp(`signed with key ${forger.kid}, which is not a trusted key`));
    expectProblem(report, 'resigned', 'signatures[0]', /which is not a trusted key/);
    // Without a trust anchor a wholesale re-signing is self-consistent: the report says so.
    const unpinned = await verifyBundle(forged);
    expect(unpinned.warnings.join(' ')).toMatch(/no trusted key was given/);
    expect(unpinned.signers).toEqual([{ kid: forger.kid, trusted: null }]);
  });

  it('a public key whose id is not its thumbprint is named', async () => {
    const b = copy();
    b.content.publicKeys![0]!.jwk = otherKey().jwk;
    expectProblem(await verifyBundle(b), 'altered', 'publicKeys[0]', /its id .* is not the thumbprint of its key/);
  });
});

describe('not a bundle', () => {
  it('text that is not JSON is malformed', async () => {
    expectProblem(await verifyBundle('{ nope'), 'malformed', 'bundle', /not JSON/);
  });
  it('another format is malformed, naming the field', async () => {
    expectProblem(await verifyBundle({ ...copy(), format: 'zip' }), 'malformed', 'format', /format/);
  });
});
