/**
 * The project's own test model: a tiny random-weight llama with a byte-fallback SentencePiece
 * vocabulary (every printable ASCII character is a token, every other byte has a <0xNN> token), so
 * any text tokenizes and grammar-constrained JSON can always be spelled.
 *
 * The weights are random except for one "bias channel": a residual dimension held constant through
 * every layer, read by the output matrix as a per-token bias. It makes JSON delimiters likely and
 * whitespace and end-of-text unlikely, so a grammar-constrained generation closes quickly instead of
 * wandering through a long random string, while free-running completions keep producing text.
 *
 * It has no runtime imports and uses erasable TypeScript syntax only, so plain Node 22 can load it
 * (scripts/make-test-model.mjs); `encodeGguf` turns the spec into bytes.
 */
import type { GgufTensor, GgufValue } from './gguf-writer';

/** The model's dimensions. The test model is TINY_SHAPE; benches that need compute to dominate the
 * per-token overhead (the parallel council) write a wider, deeper model with the same vocabulary. */
export type LlamaShape = { embd: number; head: number; headKv: number; ff: number; layer: number; contextLength: number };

export const TINY_SHAPE: LlamaShape = { embd: 64, head: 4, headKv: 2, ff: 128, layer: 2, contextLength: 1024 };
/** About 24M parameters (48 MB in F16): a decode step costs milliseconds of matrix work on one thread. */
export const BENCH_SHAPE: LlamaShape = { embd: 512, head: 8, headKv: 4, ff: 1408, layer: 8, contextLength: 8192 };

const BIAS_DIM = 0;
/** Large against the other channels (~0.5 each), so the final norm leaves it near BIAS_NORMED. */
const BIAS_VALUE = 4;
const BIAS_NORMED = 3.6;
/** Spread of the random part of the logits: enough for varied text, small beside the biases. */
const OUTPUT_STD = 0.25;

const TOKEN_UNKNOWN = 2;
const TOKEN_CONTROL = 3;
const TOKEN_NORMAL = 1;
const TOKEN_BYTE = 6;

export const TINY_LLAMA_NAME = 'agent-agency-tiny-llama';

function vocabulary(): { tokens: string[]; types: number[]; scores: number[] } {
  const tokens = ['<unk>', '<s>', '</s>'];
  const types = [TOKEN_UNKNOWN, TOKEN_CONTROL, TOKEN_CONTROL];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(TOKEN_BYTE);
  }
  // SentencePiece writes a space as U+2581.
  tokens.push('\u2581');
  types.push(TOKEN_NORMAL);
  for (let c = 0x21; c <= 0x7e; c++) {
    tokens.push(String.fromCharCode(c));
    types.push(TOKEN_NORMAL);
  }
  return { tokens, types, scores: tokens.map(() => 0) };
}

/** Deterministic PRNG (mulberry32) with a Box-Muller normal. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => {
    const u = Math.max(uniform(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}

/** Output bias per token text: delimiters up, whitespace and end-of-text down. */
function tokenBias(token: string, index: number): number {
  if (index === 2) return -8; // </s>: free-running completions should run to their token limit
  if (token === '\u2581' || token === '<0x0A>' || token === '<0x09>' || token === '<0x0D>') return -6;
  if (token.startsWith('<0x')) return -8; // raw bytes only when nothing else fits
  // Exponents down too: a random exponent overflows a double, and Infinity validates as no number.
  const delimiters: Record<string, number> = { '"': 5, '}': 3, ']': 3, ',': 2, e: -3, E: -3 };
  return delimiters[token] ?? 0;
}

export type GgufSpec = { metadata: Array<readonly [string, GgufValue]>; tensors: GgufTensor[] };

export function tinyLlamaSpec(shape: LlamaShape = TINY_SHAPE): GgufSpec {
  const { embd: N_EMBD, head: N_HEAD, headKv: N_HEAD_KV, ff: N_FF, layer: N_LAYER, contextLength: CONTEXT_LENGTH } = shape;
  const HEAD_DIM = N_EMBD / N_HEAD;
  // Weight spreads shrink with width so activations keep the test model's scale (exactly 1 for it).
  const wide = Math.sqrt(TINY_SHAPE.embd / N_EMBD);
  const { tokens, types, scores } = vocabulary();
  const nVocab = tokens.length;
  const normal = rng(0x5eed);
  const random = (n: number, std: number) => Float32Array.from({ length: n }, () => normal() * std);
  const ones = (n: number) => new Float32Array(n).fill(1);

  // Embeddings: random, with the bias channel fixed at BIAS_VALUE.
  const tokenEmbd = random(N_EMBD * nVocab, 0.5);
  for (let t = 0; t < nVocab; t++) tokenEmbd[t * N_EMBD + BIAS_DIM] = BIAS_VALUE;

  // Output: row t (contiguous, N_EMBD long) scores token t. After the final RMS norm the bias channel
  // reads about BIAS_NORMED, so its weight is the wanted bias divided by that.
  const output = random(N_EMBD * nVocab, OUTPUT_STD);
  tokens.forEach((tok, t) => (output[t * N_EMBD + BIAS_DIM] = tokenBias(tok, t) / BIAS_NORMED));
  // The layers never see the bias channel: their input norms zero it.
  const layerNorm = () => {
    const w = ones(N_EMBD);
    w[BIAS_DIM] = 0;
    return w;
  };

  /** A projection whose outputs never write into the bias channel, so it stays constant. */
  const residualWriter = (nIn: number, tinyIn: number) => {
    const w = random(nIn * N_EMBD, 0.05 * Math.sqrt(tinyIn / nIn));
    for (let i = 0; i < nIn; i++) w[BIAS_DIM * nIn + i] = 0;
    return w;
  };

  const tensors: GgufTensor[] = [
    { name: 'token_embd.weight', dims: [N_EMBD, nVocab], type: 'f16', data: tokenEmbd },
    { name: 'output_norm.weight', dims: [N_EMBD], type: 'f32', data: ones(N_EMBD) },
    { name: 'output.weight', dims: [N_EMBD, nVocab], type: 'f16', data: output },
  ];
  const kvDim = HEAD_DIM * N_HEAD_KV;
  for (let l = 0; l < N_LAYER; l++) {
    const p = `blk.${l}.`;
    tensors.push(
      { name: `${p}attn_norm.weight`, dims: [N_EMBD], type: 'f32', data: layerNorm() },
      { name: `${p}attn_q.weight`, dims: [N_EMBD, N_EMBD], type: 'f16', data: random(N_EMBD * N_EMBD, 0.2 * wide) },
      { name: `${p}attn_k.weight`, dims: [N_EMBD, kvDim], type: 'f16', data: random(N_EMBD * kvDim, 0.2 * wide) },
      { name: `${p}attn_v.weight`, dims: [N_EMBD, kvDim], type: 'f16', data: random(N_EMBD * kvDim, 0.2 * wide) },
      { name: `${p}attn_output.weight`, dims: [N_EMBD, N_EMBD], type: 'f16', data: residualWriter(N_EMBD, TINY_SHAPE.embd) },
      { name: `${p}ffn_norm.weight`, dims: [N_EMBD], type: 'f32', data: layerNorm() },
      { name: `${p}ffn_gate.weight`, dims: [N_EMBD, N_FF], type: 'f16', data: random(N_EMBD * N_FF, 0.2 * wide) },
      { name: `${p}ffn_up.weight`, dims: [N_EMBD, N_FF], type: 'f16', data: random(N_EMBD * N_FF, 0.2 * wide) },
      { name: `${p}ffn_down.weight`, dims: [N_FF, N_EMBD], type: 'f16', data: residualWriter(N_FF, TINY_SHAPE.ff) },
    );
  }

  const metadata: Array<readonly [string, GgufValue]> = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: TINY_LLAMA_NAME }],
    ['general.file_type', { type: 'u32', value: 1 }], // mostly F16
    ['llama.context_length', { type: 'u32', value: CONTEXT_LENGTH }],
    ['llama.embedding_length', { type: 'u32', value: N_EMBD }],
    ['llama.feed_forward_length', { type: 'u32', value: N_FF }],
    ['llama.block_count', { type: 'u32', value: N_LAYER }],
    ['llama.attention.head_count', { type: 'u32', value: N_HEAD }],
    ['llama.attention.head_count_kv', { type: 'u32', value: N_HEAD_KV }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'f32', value: 1e-5 }],
    ['llama.rope.dimension_count', { type: 'u32', value: HEAD_DIM }],
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'string[]', value: tokens }],
    ['tokenizer.ggml.scores', { type: 'f32[]', value: scores }],
    ['tokenizer.ggml.token_type', { type: 'i32[]', value: types }],
    ['tokenizer.ggml.unknown_token_id', { type: 'u32', value: 0 }],
    ['tokenizer.ggml.bos_token_id', { type: 'u32', value: 1 }],
    ['tokenizer.ggml.eos_token_id', { type: 'u32', value: 2 }],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: true }],
    ['tokenizer.ggml.add_eos_token', { type: 'bool', value: false }],
  ];
  return { metadata, tensors };
}
