import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ScriptedModel } from '../../../../test/fake-model';
import { tempDir } from '../../../../test/helpers';
import { DEFAULT_POLICY } from '../../../shared/domain/governance';
import { silentLogger } from '../observability/logger';
import { RetrievalService } from '../retrieval/service';
import { initRepo } from '../workspace/testing/git-fixture';
import { Planner } from './planner';

const draft = {
  id: 'FIX-0042',
  title: 'Round the invoice total to cents',
  mode: 'fix',
  blast_radius: { modules: ['billing'], data_migration: false },
  scope: { in: ['src/zz/billing/invoice.js'], out: [], support: [] },
  invariants: ['Other totals are unchanged'],
  acceptance: [{ id: 'A1', given: 'an invoice of 0.1 and 0.2', when: 'it is totalled', then: 'the total is 0.3', test_command: 'npm test' }],
  non_functional: { security: [], reliability: [], accessibility: [] },
  contracts: [{ name: 'invoice-total', type: 'behavior', path: '' }],
};

/**
 * A repository of many files where the one the task needs sorts last: today's selection reads only
 * the first files it walks, so only the retrieval service can bring it into the prompt.
 */
function repository() {
  const repo = tempDir('aa-plan-retrieval-');
  const files: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'shop', type: 'module', scripts: { test: 'node --test' } }),
    'src/zz/billing/invoice.js': 'export function computeInvoiceTotal(lines) {\n  return lines.reduce((s, l) => s + l.amount, 0);\n}\n',
  };
  for (let i = 0; i < 150; i++) files[`src/a${String(i).padStart(3, '0')}/module.js`] = `export const value${i} = ${i}; // totals of widgets, lines and amounts\n`;
  initRepo(repo.dir, files);
  return repo;
}

describe('planner with the retrieval service', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  it("shows the planner the files the retrieval service ranks, from an index in the app's data folder", async () => {
    const repo = repository();
    const data = tempDir('aa-plan-data-');
    cleanups.push(repo.cleanup, data.cleanup);
    const model = new ScriptedModel([draft, draft]);
    const planner = new Planner({ client: model, logger: silentLogger(), retrieval: new RetrievalService({ dataDir: data.dir, logger: silentLogger() }) });
    const result = await planner.plan({
      taskId: 'tsk_abc0000000',
      description: 'computeInvoiceTotal does not round the invoice total to cents',
      repoPath: repo.dir,
      riskTier: 3,
      budget: DEFAULT_POLICY.budgets[3],
    });
    expect(result.context.ranking).toBe('retrieval');
    expect(result.context.relevant[0]!.path).toBe('src/zz/billing/invoice.js');
    const prompt = model.calls[0]!.messages.map((m) => m.content).join('\n');
    expect(prompt).toContain('Relevant file src/zz/billing/invoice.js:\nexport function computeInvoiceTotal(lines)');
    // The index is in the data folder; the repository holds nothing new.
    expect(readdirSync(join(data.dir, 'retrieval')).filter((f) => f.endsWith('.sqlite'))).toHaveLength(1);
    expect(existsSync(join(repo.dir, 'retrieval'))).toBe(false);
  });

  it('plans on when the retrieval service fails, with the similarity search it replaced', async () => {
    const repo = repository();
    cleanups.push(repo.cleanup);
    const model = new ScriptedModel([draft, draft]);
    const broken = { relevantFiles: async () => Promise.reject(new Error('index file is corrupt')) };
    const result = await new Planner({ client: model, logger: silentLogger(), retrieval: broken }).plan({
      taskId: 'tsk_abc0000000',
      description: 'computeInvoiceTotal does not round the invoice total to cents',
      repoPath: repo.dir,
      riskTier: 3,
      budget: DEFAULT_POLICY.budgets[3],
    });
    expect(result.context.ranking).toBe('embedding');
    expect(result.context.relevant.length).toBeGreaterThan(0);
  });

  it('without the retrieval service the same task never shows that file (the selection it replaces)', async () => {
    const repo = repository();
    cleanups.push(repo.cleanup);
    const model = new ScriptedModel([draft, draft]);
    const result = await new Planner({ client: model, logger: silentLogger() }).plan({
      taskId: 'tsk_abc0000000',
      description: 'computeInvoiceTotal does not round the invoice total to cents',
      repoPath: repo.dir,
      riskTier: 3,
      budget: DEFAULT_POLICY.budgets[3],
    });
    expect(result.context.ranking).not.toBe('retrieval');
    expect(model.calls[0]!.messages.map((m) => m.content).join('\n')).not.toContain('Relevant file src/zz/billing/invoice.js');
  });
});
