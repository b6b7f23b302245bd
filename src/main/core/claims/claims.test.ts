import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentLoop } from '../agent/loop';
import { CommandGateRunner } from '../agent/testing/gates';
import { ScriptedModel } from '../agent/testing/scripted-model';
import { openDatabase, type Db } from '../db/open';
import { silentLogger } from '../observability/logger';
import { WorkspaceManager } from '../workspace/manager';
import { initRepo } from '../workspace/testing/git-fixture';
import { extractClaims, extractClaimsWithModel } from './extract';
import { KnowledgeService } from '../knowledge/knowledge-service';
import type { ClaimEvidence, KnowledgeLookup } from './types';
import { verifyClaims } from './verify';

const TASK = 'tsk_0000000000c1';
const clock = { now: () => 1_800_000_000_000 };
const NODE = JSON.stringify(process.execPath);
const TEST_COMMAND = `${NODE} --test sum.test.js`;
const FIXTURE = {
  'package.json': '{ "type": "module", "private": true }\n',
  'sum.js': 'export function sum(a, b) {\n  return a - b;\n}\n',
  'sum.test.js': "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { sum } from './sum.js';\ntest('adds', () => assert.equal(sum(2, 3), 5));\n",
  'CHANGELOG.md': '# changes\n',
};
/** A1 has a test; A2 (the changelog) has none, so only the worker's word and the gates decide it. */
const SPEC = {
  id: 'FIX-0043',
  title: 'Make sum add and note it',
  scope: { in: ['sum.js', 'CHANGELOG.md'], support: ['sum.test.js'] },
  acceptance: [
    { id: 'A1', given: 'two numbers', when: 'sum is called', then: 'it returns their sum', test: TEST_COMMAND },
    { id: 'A2', given: 'the changelog', when: 'it is read', then: 'it mentions the fix' },
  ],
};
const fix = (reason: string) => ({
  action: 'write',
  reason,
  confidence: 0.9,
  criteria_met: ['A1', 'A2'],
  edits: [{ op: 'write', path: 'sum.js', content: 'export function sum(a, b) {\n  return a + b;\n}\n', to: '', hunks: [] }],
});
const changelog = {
  action: 'write',
  reason: 'Updated CHANGELOG.md with the fix of `sum`. A2 is met.',
  confidence: 0.9,
  criteria_met: ['A1', 'A2'],
  edits: [{ op: 'write', path: 'CHANGELOG.md', content: '# changes\n\n- sum adds its arguments\n', to: '', hunks: [] }],
};
const LIE = 'sum now adds its arguments in sum.js. Updated CHANGELOG.md with the fix. Tests pass; A2 is met.';
const TRUTH = 'sum now adds its arguments in sum.js. Tests pass.';

describe('claims', () => {
  it('extracts criterion ids, paths, symbols and test claims by rule, each with its sentence', () => {
    const claims = extractClaims({ text: 'Added function `parseQuery` to src/query.ts. Removed old/legacy.js. All tests pass; the lint gate passes. A3 is met.', criteriaMet: ['A1'], criterionIds: ['A1', 'A3'], source: 'worker' });
    expect(claims.map((c) => `${c.kind}:${c.subject}`)).toEqual(['criterion_met:A1', 'file_changed:src/query.ts', 'symbol_present:parseQuery', 'file_deleted:old/legacy.js', 'tests_pass:', 'gate_passes:lint', 'criterion_met:A3']);
    expect(claims.find((c) => c.subject === 'src/query.ts')?.text).toBe('Added function `parseQuery` to src/query.ts.');
  });

  it('verifies against the diff, the workspace, the gates and the tests; undecidable claims stay unverifiable', async () => {
    const ev: ClaimEvidence = {
      changes: [{ path: 'src/query.ts', status: 'modified' }],
      readFile: async (p) => (p === 'src/query.ts' ? 'export function parseQuery() {}\n' : null),
      gates: [{ gate: 'tests', status: 'fail', details: '# fail 1' }, { gate: 'lint', status: 'pass', details: '' }],
      criterionTests: new Map([['A1', { passed: true, output: 'ok' }]]),
      criterionIds: ['A1', 'A2'],
    };
    const claims = extractClaims({ text: 'Added `parseQuery` and `formatQuery` to src/query.ts. Updated README.md. Tests pass. The lint gate passes. The speed gate passes.', criteriaMet: ['A1', 'A2', 'A9'], criterionIds: ['A1', 'A2'], source: 'worker' });
    const verdicts = Object.fromEntries((await verifyClaims(claims, ev)).map((c) => [`${c.kind}:${c.subject}`, c.status]));
    expect(verdicts).toEqual({
      'criterion_met:A1': 'verified',
      'criterion_met:A2': 'unverifiable',
      'criterion_met:A9': 'refuted',
      'symbol_present:parseQuery': 'verified',
      'symbol_present:formatQuery': 'refuted',
      'file_changed:src/query.ts': 'verified',
      'file_changed:README.md': 'refuted',
      'tests_pass:': 'refuted',
      'gate_passes:lint': 'verified',
      'gate_passes:speed': 'unverifiable',
    });
  });

  it('model extraction is constrained to the claim schema and validated: invalid items are dropped, rule claims kept', async () => {
    const model = new ScriptedModel([{ claims: [{ kind: 'symbol_present', subject: 'helper', text: 'a helper was written' }, { kind: 'made_up', subject: 'x', text: 'y' }, { kind: 'file_changed', subject: 'a.ts' }] }]);
    const { claims, dropped } = await extractClaimsWithModel(model, { text: 'Changed a.ts and wrote a helper.', criterionIds: [], source: 'worker' });
    expect(claims.map((c) => `${c.extractedBy}:${c.kind}:${c.subject}`)).toEqual(['rules:file_changed:a.ts', 'model:symbol_present:helper']);
    expect(dropped).toBe(2);
  });

  describe('in the worker loop (real git workspace, real test gate, scripted model words)', () => {
    let base: string;
    let db: Db;
    let manager: WorkspaceManager;
    beforeEach(() => {
      base = mkdtempSync(join(tmpdir(), 'aa-claims-'));
      initRepo(join(base, 'repo'), FIXTURE);
      db = openDatabase({ file: ':memory:', logger: silentLogger() });
      manager = new WorkspaceManager({ root: join(base, 'workspaces'), db, logger: silentLogger(), clock });
    });
    afterEach(() => {
      db.close();
      rmSync(base, { recursive: true, force: true });
    });

    async function run(script: unknown[], knowledge?: KnowledgeLookup) {
      const ws = await manager.create({ taskId: TASK, source: join(base, 'repo') });
      const model = new ScriptedModel(script);
      const loop = new AgentLoop({
        taskId: TASK,
        description: 'sum subtracts; make it add and note the fix in the changelog.',
        spec: SPEC,
        riskTier: 2,
        workspace: ws,
        model,
        gates: new CommandGateRunner(TEST_COMMAND),
        apply: { policy: { scope: SPEC.scope, allow: ['**'] }, budget: { maxFiles: 10, maxLines: 250 } },
        logger: silentLogger(),
        clock,
        limits: { maxIterations: 3 },
        ...(knowledge ? { knowledge } : {}),
      });
      return { model, result: await loop.run() };
    }

    it('a refuted claim changes the outcome: the changelog criterion is not met, the score drops and the worker is told', async () => {
      const { model, result } = await run([fix(LIE), changelog]);
      const first = result.history[0]!;
      expect(first.claims?.find((c) => c.subject === 'CHANGELOG.md')).toMatchObject({ status: 'refuted' });
      expect(first.score).toBeLessThan(1);
      // Not satisficed on the lie: it took a second, real changelog edit.
      expect(result).toMatchObject({ stopReason: 'satisficed', iterations: 2, score: 1 });
      const secondPrompt = model.calls[1]!.map((m) => m.content).join('\n');
      expect(secondPrompt).toContain('claims in your reason that are false');
      expect(secondPrompt).toContain('CHANGELOG.md');
    });

    /** The real knowledge base (SQLite FTS5) holding the repository's README. */
    async function readme(): Promise<KnowledgeLookup> {
      const kb = new KnowledgeService({ db, logger: silentLogger(), clock });
      await kb.addData({ source: '/repo/README.md', title: 'README.md', data: Buffer.from('# sum\n\nsum never mutates its arguments.\n') });
      return async (q) => kb.search(q, 5).map((h) => ({ source: h.source, location: h.location, title: h.title, text: h.text }));
    }

    it('a claim about the docs that the knowledge base refutes changes the outcome too', async () => {
      const { model, result } = await run([fix(`${TRUTH} Per the README, sum mutates its arguments.`), changelog], await readme());
      const claim = result.history[0]!.claims?.find((c) => c.kind === 'documented');
      expect(claim).toMatchObject({ status: 'refuted', evidence: '[README.md, lines 1-4]: "sum never mutates its arguments." says the opposite' });
      expect(result).toMatchObject({ stopReason: 'satisficed', iterations: 2 });
      expect(model.calls[1]!.map((m) => m.content).join('\n')).toContain('sum never mutates its arguments');
    });

    it('control: the same claim told truthfully is verified against the README, satisficed at once', async () => {
      const truthful = await run([fix(`${TRUTH} Per the README, sum never mutates its arguments.`), changelog], await readme());
      expect(truthful.result.history[0]!.claims?.find((c) => c.kind === 'documented')).toMatchObject({ status: 'verified' });
      expect(truthful.result).toMatchObject({ stopReason: 'satisficed', iterations: 1 });
    });

    it('control: the same change told truthfully is taken at its word for A2 (the gates pass), satisficed at once', async () => {
      const { result } = await run([fix(TRUTH), changelog]);
      expect(result.history[0]!.claims?.every((c) => c.status !== 'refuted')).toBe(true);
      expect(result).toMatchObject({ stopReason: 'satisficed', iterations: 1, score: 1 });
    });
  });
});
