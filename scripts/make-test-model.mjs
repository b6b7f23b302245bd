// `npm run make:test-model [-- <output.gguf>]`: writes the project's tiny random-weight llama GGUF.
// Node 22 loads the TypeScript sources directly (they use erasable syntax and no relative runtime
// imports), so the script and the tests share one definition of the model.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { encodeGguf } from '../src/main/core/models/testing/gguf-writer.ts';
import { tinyLlamaSpec } from '../src/main/core/models/testing/tiny-llama.ts';

const { metadata, tensors } = tinyLlamaSpec();
const bytes = encodeGguf(metadata, tensors);
const sha256 = createHash('sha256').update(bytes).digest('hex');
// Same default place and name as ensureTestModel() in the tests.
const out = resolve(
  process.argv[2] ??
    join(process.env.AGENT_AGENCY_TEST_MODEL_DIR ?? join(tmpdir(), 'agent-agency-test-models'), `tiny-llama-${sha256.slice(0, 16)}.gguf`),
);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, bytes);
process.stdout.write(`${JSON.stringify({ path: out, bytes: bytes.length, sha256 })}\n`);
