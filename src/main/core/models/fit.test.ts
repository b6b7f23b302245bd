import { describe, expect, it } from 'vitest';
import type { GgufFacts } from '../../../shared/domain/model';
import { checkFit, estimateMemory, longestContextThatFits, memoryBudget, verdictFor } from './fit';

const GB = 1024 ** 3;
/** Shape of an 8B llama-3 at Q4_K_M: 32 layers, 8 KV heads of 128 dims, 128k vocabulary. */
const llama8b: GgufFacts = {
  architecture: 'llama',
  parameters: 8_030_261_248,
  quantization: 'Q4_K_M',
  contextLength: 8192,
  layers: 32,
  embeddingLength: 4096,
  kvBytesPerToken: 32 * 8 * (128 + 128) * 2,
  vocabularySize: 128_256,
};
const size8b = 4_920_733_888;

describe('fit check', () => {
  it('adds weights, the KV cache at the context size and compute buffers', () => {
    const e = estimateMemory({ sizeBytes: size8b, facts: llama8b, contextSize: 8192 });
    expect(e.weightsBytes).toBe(size8b);
    expect(e.contextBytes).toBe(1 * GB); // 128 KiB per token x 8192 tokens
    expect(e.neededBytes).toBe(e.weightsBytes + e.contextBytes + e.overheadBytes);
    expect(e.overheadBytes).toBeGreaterThan(300 * 1024 ** 2);
    // Two sequences need two KV caches.
    expect(estimateMemory({ sizeBytes: size8b, facts: llama8b, contextSize: 8192, sequences: 2 }).contextBytes).toBe(2 * GB);
  });

  it('keeps a reserve for the rest of the machine', () => {
    expect(memoryBudget({ totalBytes: 16 * GB, availableBytes: 10 * GB, gpu: 'metal' })).toBe(12 * GB);
    expect(memoryBudget({ totalBytes: 8 * GB, availableBytes: 4 * GB, gpu: 'metal' })).toBe(6 * GB);
    expect(memoryBudget({ totalBytes: 1 * GB, availableBytes: 1 * GB, gpu: 'cpu' })).toBe(0);
  });

  it('gives fits, tight and too_large badges against the budget', () => {
    expect(verdictFor(5 * GB, 12 * GB)).toBe('fits');
    expect(verdictFor(11 * GB, 12 * GB)).toBe('tight');
    expect(verdictFor(13 * GB, 12 * GB)).toBe('too_large');
  });

  it('fits an 8B Q4 model on a 16 GB Mac with all layers on Metal', () => {
    const r = checkFit({ name: 'llama-3-8b', sizeBytes: size8b, facts: llama8b, contextSize: 8192, machine: { totalBytes: 16 * GB, availableBytes: 11 * GB, gpu: 'metal' } });
    expect(r.verdict).toBe('fits');
    // Every layer and the output layer, as the load passes it (node-llama-cpp counts layers + 1).
    expect(r.gpuLayers).toBe(33);
    expect(r.message).toMatch(/^llama-3-8b needs about 6\.\d GB \(weights 4\.6 GB \+ context 1\.0 GB at 8192 tokens \+ overhead 600 MB\) of the 12\.0 GB allowed for models\.$/);
  });

  it('refuses on an 8 GB Mac and names smaller models that would fit', () => {
    const r = checkFit({
      name: 'llama-3-8b-q8',
      sizeBytes: 8_540_770_496,
      facts: { ...llama8b, quantization: 'Q8_0' },
      contextSize: 8192,
      machine: { totalBytes: 8 * GB, availableBytes: 5 * GB, gpu: 'metal' },
      alternatives: [
        { name: 'phi-3-mini', neededBytes: 4.3 * GB },
        { name: 'phi-4', neededBytes: 11 * GB },
      ],
    });
    expect(r.verdict).toBe('too_large');
    expect(r.message).toMatch(/needs about 9\.7 GB \(weights 8\.0 GB \+ context 1\.0 GB at 8192 tokens \+ overhead 773 MB\) but this machine allows 6\.0 GB for models \(8\.0 GB total\)\. What would fit: a smaller model: phi-3-mini \(4\.3 GB\)\.$/);
  });

  it('suggests the longest context that fits when the weights do', () => {
    const budget = 6 * GB;
    const max = longestContextThatFits(size8b, llama8b, budget);
    expect(max % 256).toBe(0);
    expect(estimateMemory({ sizeBytes: size8b, facts: llama8b, contextSize: max }).neededBytes).toBeLessThanOrEqual(budget);
    expect(estimateMemory({ sizeBytes: size8b, facts: llama8b, contextSize: max + 256 }).neededBytes).toBeGreaterThan(budget);
    const r = checkFit({ name: 'm', sizeBytes: size8b, facts: { ...llama8b, contextLength: 32768 }, contextSize: 32768, machine: { totalBytes: 8 * GB, availableBytes: 6 * GB, gpu: 'metal' } });
    expect(r.verdict).toBe('too_large');
    expect(r.message).toContain(`What would fit: a context of ${max} tokens instead of 32768.`);
  });
});
