import type { Claim, ClaimEvidence, VerifiedClaim } from './types';

const MAX_FILE_BYTES = 1_000_000;

/**
 * Checks each claim against the diff, the workspace after the change, the gate output and the test
 * results. Verified and refuted carry the evidence; a claim nothing here can decide is unverifiable
 * (never counted as verified).
 */
export async function verifyClaims(claims: readonly Claim[], ev: ClaimEvidence): Promise<VerifiedClaim[]> {
  const out: VerifiedClaim[] = [];
  for (const c of claims) out.push({ ...c, ...(await verifyOne(c, ev)) });
  return out;
}

async function verifyOne(c: Claim, ev: ClaimEvidence): Promise<Pick<VerifiedClaim, 'status' | 'evidence'>> {
  switch (c.kind) {
    case 'criterion_met': {
      if (!ev.criterionIds.includes(c.subject)) return { status: 'refuted', evidence: `the spec has no acceptance criterion ${c.subject}` };
      const test = ev.criterionTests.get(c.subject);
      if (test) return test.passed ? { status: 'verified', evidence: `its test passed` } : { status: 'refuted', evidence: `its test failed: ${test.output.slice(0, 300)}` };
      return { status: 'unverifiable', evidence: `${c.subject} has no test command of its own` };
    }
    case 'file_changed': {
      const hit = findChange(ev, c.subject);
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
      const files = ev.changes.filter((f) => f.status !== 'deleted');
      if (files.length === 0) return { status: 'refuted', evidence: `nothing changed, so ${c.subject} was not added` };
      const word = new RegExp(`(?<![\\w$])${c.subject.replace(/[$]/g, '\\$')}(?![\\w$])`);
      for (const f of files) {
        const text = await ev.readFile(f.path);
        if (text !== null && text.length <= MAX_FILE_BYTES && word.test(text)) return { status: 'verified', evidence: `${c.subject} appears in ${f.path} after the change` };
      }
      return { status: 'refuted', evidence: `${c.subject} appears in none of the changed files (${list(files.map((f) => f.path))})` };
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
