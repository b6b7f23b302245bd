import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeGguf } from './gguf-writer';
import { BENCH_SHAPE, tinyLlamaSpec, TINY_SHAPE, type LlamaShape } from './tiny-llama';

/** Where generated test models are cached; AGENT_AGENCY_TEST_MODEL_DIR overrides it. */
export function testModelDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['AGENT_AGENCY_TEST_MODEL_DIR'] ?? join(tmpdir(), 'agent-agency-test-models');
}

/** A random-weight model's bytes (deterministic for a shape) and their sha256; the test model by default. */
export function testModelBytes(shape: LlamaShape = TINY_SHAPE): { bytes: Buffer; sha256: string } {
  const { metadata, tensors } = tinyLlamaSpec(shape);
  const bytes = encodeGguf(metadata, tensors);
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

const cached = new Map<LlamaShape, { bytes: Buffer; sha256: string }>();

/**
 * Path of the tiny random-weight llama GGUF that tests, benchmarks and end-to-end runs load through
 * the real node-llama-cpp path. Generated on first use (a few hundred KB, milliseconds) and cached
 * under a name carrying its checksum, so a changed definition never reuses a stale file.
 */
export async function ensureTestModel(dir = testModelDir()): Promise<string> {
  return ensureModel(TINY_SHAPE, 'tiny-llama', dir);
}

/**
 * The bench model: the test model's vocabulary and biases in a wider, deeper network (BENCH_SHAPE,
 * about 48 MB), so a decode step is dominated by matrix work as in a real model rather than by the
 * per-token overhead around it. Generated on first use (a few seconds) and cached like the test model.
 */
export async function ensureBenchModel(dir = testModelDir()): Promise<string> {
  return ensureModel(BENCH_SHAPE, 'bench-llama', dir);
}

async function ensureModel(shape: LlamaShape, stem: string, dir: string): Promise<string> {
  const model = cached.get(shape) ?? testModelBytes(shape);
  cached.set(shape, model);
  const file = join(dir, `${stem}-${model.sha256.slice(0, 16)}.gguf`);
  if (existsSync(file) && statSync(file).size === model.bytes.length) return file;
  mkdirSync(dir, { recursive: true });
  // Written aside and renamed: parallel test workers may race to create it.
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.part`;
  try {
    writeFileSync(temp, model.bytes);
    renameSync(temp, file);
  } finally {
    rmSync(temp, { force: true });
  }
  return file;
}
