import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppFailure } from '../../../../shared/errors';
import { systemClock } from '../../journal/journal';
import { silentLogger } from '../../observability/logger';
import { ensureTestModel } from '../testing/test-model';
import { LlamaLoadedModel } from './llama-model';
import { LlamaRuntime } from './llama-runtime';

// The real node-llama-cpp path on the project's tiny random-weight llama.
const runtime = new LlamaRuntime({ logger: silentLogger(), threads: 1, gpu: false });
let model: LlamaLoadedModel;

beforeAll(async () => {
  const path = await ensureTestModel();
  model = await LlamaLoadedModel.load({ runtime, clock: systemClock, name: 'tiny', path, contextSize: 512, memoryBytes: 1 });
});

afterAll(async () => {
  await model?.dispose();
  await runtime.dispose();
});

const Verdict = z.strictObject({
  judge: z.enum(['constitutional', 'technical', 'quality', 'integration']),
  verdict: z.enum(['pass', 'fail', 'uncertain']),
  confidence: z.number(),
  approved: z.boolean(),
  reasons: z.array(z.string()),
  summary: z.string(),
});
const verdictSchema = {
  type: 'object',
  properties: {
    judge: { enum: ['constitutional', 'technical', 'quality', 'integration'] },
    verdict: { enum: ['pass', 'fail', 'uncertain'] },
    confidence: { type: 'number' },
    approved: { type: 'boolean' },
    reasons: { type: 'array', items: { type: 'string' } },
    summary: { type: 'string' },
  },
  required: ['judge', 'verdict', 'confidence', 'approved', 'reasons', 'summary'],
  additionalProperties: false,
};

describe('embedded provider (node-llama-cpp, test model)', () => {
  it('completes a prompt up to the token limit and names the model', async () => {
    const g = await model.complete('The plan is', { maxTokens: 24 });
    expect(g.tokens).toBe(24);
    expect(g.text.length).toBeGreaterThan(0);
    expect(g.model).toBe('tiny');
    expect(g.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('streams the same text it returns, piece by piece', async () => {
    const pieces: string[] = [];
    const g = await model.complete('Stream this', { maxTokens: 16, onToken: (t) => pieces.push(t) });
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(g.text);
  });

  it('chats and streams a reply', async () => {
    const pieces: string[] = [];
    const g = await model.chat(
      [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Say something.' },
      ],
      { maxTokens: 12, onToken: (t) => pieces.push(t) },
    );
    expect(g.tokens).toBeGreaterThan(0);
    expect(pieces.join('')).toBe(g.text);
  });

  it('generates JSON constrained by a schema that parses and validates', async () => {
    for (const subject of ['add input validation', 'rename a variable', 'delete the tests']) {
      const { value, generation } = await model.generateJson(
        [{ role: 'user', content: `Review: ${subject}` }],
        verdictSchema,
        { maxTokens: 400 },
      );
      expect(Verdict.safeParse(value).success).toBe(true);
      expect(JSON.parse(generation.text)).toEqual(value);
    }
  });

  it('reports output cut off before the JSON closes as a clear error', async () => {
    const call = model.generateJson([{ role: 'user', content: 'Review' }], verdictSchema, { maxTokens: 4 });
    await expect(call).rejects.toBeInstanceOf(AppFailure);
    await expect(call).rejects.toThrow(/not valid JSON for the schema \(it stopped at the 4-token limit\)/);
  });

  it('refuses a schema it cannot compile with invalid_input', async () => {
    const call = model.generateJson([{ role: 'user', content: 'x' }], { type: 'no-such-type' }, { maxTokens: 8 });
    await expect(call).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('embeds texts into fixed-size vectors that tell texts apart', async () => {
    const [a, b, a2] = await model.embed(['alpha beta', 'completely different words', 'alpha beta']);
    expect(a).toHaveLength(64);
    expect(a!.every(Number.isFinite)).toBe(true);
    expect(a2).toEqual(a);
    expect(b).not.toEqual(a);
  });

  it('counts tokens with the model tokenizer', async () => {
    // One token per ASCII character plus the SentencePiece leading space.
    expect(await model.countTokens('abc')).toBe(4);
    expect(await model.countTokens('')).toBe(0);
  });

  it('stops promptly on abort, rejects with an AbortError and stays usable', async () => {
    const controller = new AbortController();
    let seen = 0;
    const call = model.complete('Go on forever', {
      maxTokens: 500,
      signal: controller.signal,
      onToken: () => {
        seen++;
        if (seen === 3) controller.abort();
      },
    });
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    // Promptly is counted in tokens, not seconds: generation stops within a few tokens of the abort.
    expect(seen).toBeLessThan(20);
    const after = await model.complete('Still there?', { maxTokens: 4 });
    expect(after.tokens).toBe(4);
  });

  it('rejects at once when the signal is already aborted', async () => {
    await expect(model.chat([{ role: 'user', content: 'hi' }], { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortError',
    });
    await expect(model.embed(['x'], { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });
});
