import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../journal/journal';
import { LlamaLoadedModel } from '../../models/providers/llama-model';
import { LlamaRuntime } from '../../models/providers/llama-runtime';
import { ensureTestModel } from '../../models/testing/test-model';
import { silentLogger } from '../../observability/logger';
import { parseTextAction } from './format';
import { actionGrammar } from './grammar';

// The real node-llama-cpp path on the project's tiny random-weight llama: whatever it says under the
// action grammar must parse as an action.
const runtime = new LlamaRuntime({ logger: silentLogger(), threads: 1, gpu: false });
let model: LlamaLoadedModel;

beforeAll(async () => {
  const path = await ensureTestModel();
  model = await LlamaLoadedModel.load({ runtime, clock: systemClock, name: 'tiny', path, contextSize: 1024, memoryBytes: 1 });
});

afterAll(async () => {
  await model?.dispose();
  await runtime.dispose();
});

const messages = [
  { role: 'system' as const, content: 'Answer with one action in the text format.' },
  { role: 'user' as const, content: 'Fix the off-by-one in src/count.js.' },
];

describe('action grammar on the real embedded model', () => {
  it('bounds the answer so it fits the token budget, and every answer parses', async () => {
    const grammar = actionGrammar({ edits: 1, blocks: 1, lines: 2, lineChars: 24, pathChars: 16 });
    expect(grammar.maxChars).not.toBeNull();
    const maxTokens = grammar.maxChars!;
    expect(maxTokens).toBeLessThan(1024);
    for (let i = 0; i < 4; i++) {
      const g = await model.chat(messages, { grammar: grammar.gbnf, maxTokens, temperature: 0.8 });
      const parsed = parseTextAction(g.text, { tools: false });
      if (!parsed.ok) throw new Error(`${parsed.message}\n---\n${g.text}`);
      expect(parsed.ok).toBe(true);
    }
  }, 120_000);

  it('spells edit blocks the parser reads when an edit is required', async () => {
    const grammar = actionGrammar({ edits: 1, blocks: 2, lines: 2, lineChars: 16, pathChars: 12, actions: ['edit'] });
    expect(grammar.maxChars!).toBeLessThan(700);
    for (let i = 0; i < 3; i++) {
      const g = await model.chat(messages, { grammar: grammar.gbnf, maxTokens: grammar.maxChars!, temperature: 1 });
      const parsed = parseTextAction(g.text, { tools: false });
      if (!parsed.ok) throw new Error(`${parsed.message}\n---\n${g.text}`);
      expect(parsed.action.action).toBe('edit');
      if (parsed.action.action === 'edit') expect(parsed.action.edits.length).toBeGreaterThan(0);
    }
  }, 120_000);

  it('offers tool calls only when tools are available, and a tool answer parses too', async () => {
    const grammar = actionGrammar({ edits: 1, blocks: 1, lines: 1, lineChars: 16, pathChars: 12, tools: true });
    expect(grammar.gbnf).toContain('tool-action');
    expect(actionGrammar({}).gbnf).not.toContain('tool-action');
    const g = await model.chat(messages, { grammar: grammar.gbnf, maxTokens: 600, temperature: 0.8 });
    const parsed = parseTextAction(g.text, { tools: true });
    // A tool answer's JSON arguments are unbounded; one cut off by the limit is refused, never guessed.
    if (!parsed.ok) expect(g.text).toMatch(/^ACTION: tool_call/);
  }, 120_000);
});
