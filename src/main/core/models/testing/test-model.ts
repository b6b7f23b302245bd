import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeGguf } from './gguf-writer';
import { tinyLlamaSpec } from './tiny-llama';

/** Where generated test models are cached; AGENT_AGENCY_TEST_MODEL_DIR overrides it. */
export function testModelDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['AGENT_AGENCY_TEST_MODEL_DIR'] ?? join(tmpdir(), 'agent-agency-test-models');
}

/** The test model's bytes (deterministic) and their sha256. */
export function testModelBytes(): { bytes: Buffer; sha256: string } {
  const { metadata, tensors } = tinyLlamaSpec();
  const bytes = encodeGguf(metadata, tensors);
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

let cached: { bytes: Buffer; sha256: string } | undefined;

/**
 * Path of the tiny random-weight llama GGUF that tests, benchmarks and end-to-end runs load through
 * the real node-llama-cpp path. Generated on first use (a few hundred KB, milliseconds) and cached
 * under a name carrying its checksum, so a changed definition never reuses a stale file.
 */
export async function ensureTestModel(dir = testModelDir()): Promise<string> {
  cached ??= testModelBytes();
  const file = join(dir, `tiny-llama-${cached.sha256.slice(0, 16)}.gguf`);
  if (existsSync(file) && statSync(file).size === cached.bytes.length) return file;
  mkdirSync(dir, { recursive: true });
  // Written aside and renamed: parallel test workers may race to create it.
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.part`;
  try {
    writeFileSync(temp, cached.bytes);
    renameSync(temp, file);
  } finally {
    rmSync(temp, { force: true });
  }
  return file;
}
