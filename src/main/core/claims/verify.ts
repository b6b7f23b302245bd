import { createHash } from 'node:crypto';
import { verifyDocumented } from './documented';
import type { Claim, ClaimEvidence, ClaimSource, VerifiedClaim } from './types';

const MAX_FILE_BYTES = 1_000_000;

/**
 * Checks each claim against the diff, the workspace after the change, the gate output and the test
 * results, and a claim about what the docs say against the knowledge base (`documented.ts`). Verified
 * and refuted carry the evidence; a claim nothing here can decide is unverifiable (never counted as
 * verified). A claim decided by reading workspace files or knowledge chunks lists them in `sources`
 * with the hash of the version read.
 */
export async function verifyClaims(claims: readonly Claim[], ev: ClaimEvidence): Promise<VerifiedClaim[]> {
  const out: VerifiedClaim[] = [];
  const files = new Files(ev);
  for (const c of claims) {
    const read: ClaimSource[] = [];
    const result = await verifyOne(c, ev, files, read);
    out.push({ ...c, ...result, ...(read.length ? { sources: read } : {}) });
  }
  return out;
}

/** Workspace files read once per verification, with the hash of the bytes read. */
class Files {
  private readonly cache = new Map<string, Promise<{ text: string; sha256: string } | null>>();
  constructor(private readonly ev: ClaimEvidence) {}

  get(path: string): Promise<{ text: string; sha256: string } | null> {
    let hit = this.cache.get(path);
    if (!hit) {
      hit = this.load(path);
      this.cache.set(path, hit);
    }
    return hit;
  }

  private async load(path: string): Promise<{ text: string; sha256: string } | null> {
    if (this.ev.readBytes) {
      const bytes = await this.ev.readBytes(path);
      return bytes === null ? null : { text: bytes.toString('utf8'), sha256: createHash('sha256').update(bytes).digest('hex') };
    }
    const text = await this.ev.readFile(path);
    return text === null ? null : { text, sha256: createHash('sha256').update(text, 'utf8').digest('hex') };
  }
}

/** Reads a workspace file for a claim and lists it among the claim's sources. */
async function readFor(files: Files, read: ClaimSource[], path: string): Promise<string | null> {
  const f = await files.get(path);
  if (f) read.push({ source: 'workspace', path, sha256: f.sha256 });
  return f?.text ?? null;
}

async function verifyOne(c: Claim, ev: ClaimEvidence, files: Files, read: ClaimSource[]): Promise<Pick<VerifiedClaim, 'status' | 'evidence'>> {
  switch (c.kind) {
    case 'criterion_met': {
      if (!ev.criterionIds.includes(c.subject)) return { status: 'refuted', evidence: `the spec has no acceptance criterion ${c.subject}` };
      const test = ev.criterionTests.get(c.subject);
      if (test) return test.passed ? { status: 'verified', evidence: `its test passed` } : { status: 'refuted', evidence: `its test failed: ${test.output.slice(0, 300)}` };
      return { status: 'unverifiable', evidence: `${c.subject} has no test command of its own` };
    }
    case 'file_changed': {
      const hit = findChange(ev, c.subject);
      // The version checked: if the file changes again later, the claim is stale until checked again.
      if (hit && hit.status !== 'deleted') await readFor(files, read, hit.path);
      if (hit && hit.status !== 'deleted') return { status: 'verified', evidence: `the diff ${hit.status === 'added' ? 'adds' : 'modifies'} ${hit.path}` };
      if (hit) return { status: 'refuted', evidence: `the diff deletes ${hit.path}, it does not change it` };
      return { status: 'refuted', evidence: `the diff does not touch ${c.subject} (it changes ${list(ev.changes.map((f) => f.path))})` };
    }
    case 'file_deleted': {
      const hit = findChange(ev, c.subject);
      if (hit?.status === 'deleted') return { status: 'verified', evidence: `the diff deletes ${hit.path}` };
      return { status: 'refuted', evidence: hit ? `the diff ${hit.status} ${hit.path}, it does not delete it` : `the diff does not touch ${c.subject}` };
    }
    case 'symbol_present': {
      const changed = ev.changes.filter((f) => f.status !== 'deleted');
      if (changed.length === 0) return { status: 'refuted', evidence: `nothing changed, so ${c.subject} was not added` };
      const word = new RegExp(`(?<![\\w$])${c.subject.replace(/[$]/g, '\\$')}(?![\\w$])`);
      const seen: ClaimSource[] = [];
      for (const f of changed) {
        const text = await readFor(files, seen, f.path);
        if (text !== null && text.length <= MAX_FILE_BYTES && word.test(text)) {
          // Verified by this file alone.
          read.push(seen[seen.length - 1]!);
          return { status: 'verified', evidence: `${c.subject} appears in ${f.path} after the change` };
        }
      }
      // Refuted by all of them.
      read.push(...seen);
      return { status: 'refuted', evidence: `${c.subject} appears in none of the changed files (${list(changed.map((f) => f.path))})` };
    }
    case 'tests_pass': {
      const tests = ev.gates.find((g) => g.gate === 'tests');
      const failedCriteria = [...ev.criterionTests].filter(([, r]) => !r.passed).map(([id]) => id);
      if (tests?.status === 'fail') return { status: 'refuted', evidence: `the tests gate fails: ${tests.details.slice(0, 300)}` };
      if (failedCriteria.length) return { status: 'refuted', evidence: `criterion tests fail: ${failedCriteria.join(', ')}` };
      if (tests?.status === 'pass') return { status: 'verified', evidence: 'the tests gate passes' };
      if (ev.criterionTests.size > 0) return { status: 'verified', evidence: 'every criterion test passes' };
      return { status: 'unverifiable', evidence: 'no test ran' };
    }
    case 'documented':
      return verifyDocumented(c.subject, ev.knowledge, read);
    case 'gate_passes': {
      const g = ev.gates.find((x) => x.gate.toLowerCase() === c.subject.toLowerCase());
      if (!g || g.status === 'skip') return { status: 'unverifiable', evidence: `no gate ${c.subject} ran` };
      return g.status === 'fail' ? { status: 'refuted', evidence: `gate ${g.gate} fails: ${g.details.slice(0, 300)}` } : { status: 'verified', evidence: `gate ${g.gate}: ${g.status}` };
    }
  }
}

function findChange(ev: ClaimEvidence, subject: string) {
  const s = subject.replace(/^\.\//, '');
  return ev.changes.find((f) => f.path === s) ?? ev.changes.find((f) => f.path.endsWith(`/${s}`));
}

const list = (xs: readonly string[]) => (xs.length ? xs.slice(0, 10).join(', ') : 'nothing');
