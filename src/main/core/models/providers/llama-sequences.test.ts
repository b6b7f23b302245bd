import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../journal/journal';
import { silentLogger } from '../../observability/logger';
import { ensureTestModel } from '../testing/test-model';
import type { ChatMessage } from '../types';
import { LlamaLoadedModel } from './llama-model';
import { LlamaRuntime } from './llama-runtime';

// Several context sequences on one loaded model, on the real node-llama-cpp path (test model).
const runtime = new LlamaRuntime({ logger: silentLogger(), threads: 1, gpu: false });
let model: LlamaLoadedModel;

beforeAll(async () => {
  const path = await ensureTestModel();
  model = await LlamaLoadedModel.load({ runtime, clock: systemClock, name: 'tiny', path, contextSize: 1024, sequences: 4, memoryBytes: 1 });
});

afterAll(async () => {
  await model?.dispose();
  await runtime.dispose();
});

const stable = (topic: string): ChatMessage[] => [
  { role: 'system', content: `You review changes. ${'Follow the working spec exactly. '.repeat(6)}` },
  { role: 'user', content: `Task: ${topic}. Files:\n${`export const ${topic.replace(/\W/g, '_')} = 1;\n`.repeat(6)}` },
];

describe('several sequences on one model', () => {
  it('runs calls at once: every call has produced a token before any finishes', async () => {
    expect(model.totalSequences).toBe(4);
    const firstToken: boolean[] = [false, false, false, false];
    let finishedBeforeAllStarted = false;
    await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        await model.complete(`Story ${i}:`, { maxTokens: 48, onToken: () => (firstToken[i] = true) });
        if (!firstToken.every(Boolean)) finishedBeforeAllStarted = true;
      }),
    );
    expect(finishedBeforeAllStarted).toBe(false);
  });

  it('with one active sequence, calls run one after another', async () => {
    model.setActiveSequences(1);
    try {
      const firstToken: boolean[] = [false, false];
      let finishedBeforeAllStarted = false;
      await Promise.all(
        [0, 1].map(async (i) => {
          await model.complete(`Story ${i}:`, { maxTokens: 16, onToken: () => (firstToken[i] = true) });
          if (!firstToken.every(Boolean)) finishedBeforeAllStarted = true;
        }),
      );
      expect(finishedBeforeAllStarted).toBe(true);
    } finally {
      model.setActiveSequences(4);
    }
  });

  it("a prompt that extends an earlier one evaluates only its new tail, even after other calls used other sequences", async () => {
    const first = await model.chat(stable('add validation'), { maxTokens: 4 });
    await model.chat(stable('rename a function'), { maxTokens: 4 });
    await model.chat(stable('write the docs'), { maxTokens: 4 });
    const next = await model.chat([...stable('add validation'), { role: 'assistant', content: first.text }, { role: 'user', content: 'Iteration 2: the tests failed.' }], {
      maxTokens: 4,
    });
    expect(first.promptTokens).toBeGreaterThan(150);
    expect(next.promptTokens!).toBeLessThan(first.promptTokens! * 0.3);
  });

  it('calls that share a long beginning (the judges of one review) evaluate it once, and answer as they would alone', async () => {
    const material = `Review 7. ${'The change clamps the input and adds its tests. '.repeat(14)}`;
    const judge = (role: string): ChatMessage[] => [
      { role: 'system', content: 'You are one judge of a review council.' },
      { role: 'user', content: `${material}\nYour role: the ${role} judge.` },
    ];
    const roles = ['technical', 'quality', 'integration'];
    const together = await Promise.all(roles.map((r) => model.chat(judge(r), { maxTokens: 8, temperature: 0 })));
    const alone = await LlamaLoadedModel.load({ runtime, clock: systemClock, name: 'alone', path: await ensureTestModel(), contextSize: 1024, sequences: 1, memoryBytes: 1 });
    try {
      for (const [i, r] of roles.entries()) {
        const reference = await alone.chat(judge(r), { maxTokens: 8, temperature: 0 });
        await alone.chat([{ role: 'user', content: `reset ${i}` }], { maxTokens: 1 }); // the next role starts from nothing shared
        expect(together[i]!.text).toBe(reference.text);
        if (i === 0) expect(together[0]!.promptTokens).toBeGreaterThan(material.length * 0.9);
      }
    } finally {
      await alone.dispose();
    }
    // The first evaluated the whole prompt; the others only their role line.
    for (const g of together.slice(1)) expect(g.promptTokens!).toBeLessThan(60);
  });
});
