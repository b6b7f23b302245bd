import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../db/open';
import { systemClock } from '../journal/journal';
import { EmbeddingStore } from '../models/embeddings-store';
import { serviceFixture, type ServiceFixture } from '../models/testing/service-fixture';
import { silentLogger } from '../observability/logger';
import type { TextEmbedder } from '../models/text-embedder';
import { EMBED_BATCH, KNOWLEDGE_NAMESPACE, reciprocalRankFusion } from './chunk-vectors';
import { KnowledgeService } from './knowledge-service';

/**
 * Knowledge chunks in sqlite-vec: real SQLite with the real sqlite-vec extension throughout. The
 * first test embeds with the real node-llama-cpp tiny test model (1 thread, CPU). Its weights are
 * random, so its similarities mean nothing about words; the hybrid-ranking test therefore uses a
 * scripted embedding (a few concept dimensions) for the words only, with the real vec0 machinery.
 */

let fx: ServiceFixture | undefined;
let db: Db | undefined;
let dir: string | undefined;
afterEach(async () => {
  await fx?.close();
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  fx = undefined;
  db = undefined;
  dir = undefined;
});

function files(docs: Record<string, string>): string[] {
  dir = mkdtempSync(join(tmpdir(), 'aa-kbvec-'));
  return Object.entries(docs).map(([name, text]) => {
    writeFileSync(join(dir!, name), text);
    return join(dir!, name);
  });
}

describe('knowledge chunk vectors', () => {
  it('embeds every chunk with the assigned model (the real tiny model), in bounded batches, and forgets the vectors with the entry', async () => {
    fx = await serviceFixture();
    const entry = await fx.service.addByPath({ path: fx.modelCopy('tiny') });
    const batches: number[] = [];
    const embedder: TextEmbedder = {
      model: () => entry.name,
      embed: async (model, texts) => {
        batches.push(texts.length);
        return fx!.service.clientForModel(model).embed(texts);
      },
    };
    const kb = new KnowledgeService({ db: fx.db, logger: silentLogger(), clock: systemClock, embedder });
    // 40 short lines in one file: several chunks, more than one embed batch for the second file.
    const long = Array.from({ length: 400 }, (_, i) => `Line ${i} of the operations handbook talks about rotation number ${i}.`).join('\n');
    const [short, big] = files({ 'short.md': '# Retry\n\nFailed steps retry three times.\n', 'big.md': long });
    const added = await kb.add([short!, big!]);
    const chunks = added.reduce((n, a) => n + (a.status === 'added' ? a.chunks : 0), 0);
    expect(chunks).toBeGreaterThan(EMBED_BATCH);
    expect(kb.vectorCount(entry.name)).toBe(chunks);
    expect(Math.max(...batches)).toBeLessThanOrEqual(EMBED_BATCH);

    // The vectors are in vec0: the short entry's own text finds its chunk nearest.
    const store = new EmbeddingStore(fx.db, systemClock);
    const [probe] = await fx.service.clientForModel(entry.name).embed(['short.md\n# Retry\n\nFailed steps retry three times.']);
    const before = store.nearest({ namespace: KNOWLEDGE_NAMESPACE, model: entry.name, vector: probe!, k: 200 });
    expect(before).toHaveLength(chunks);
    expect((await kb.rank('retry', 3))[0]).toMatchObject({ title: 'short.md', ranking: 'hybrid' });

    const shortId = added.find((a) => a.file === short)!;
    if (shortId.status === 'refused') throw new Error('short.md refused');
    kb.remove(shortId.entityId);
    const after = store.nearest({ namespace: KNOWLEDGE_NAMESPACE, model: entry.name, vector: probe!, k: 200 });
    expect(after).toHaveLength(chunks - 1);
    expect(kb.vectorCount(entry.name)).toBe(chunks - 1);
    const bigId = added.find((a) => a.file === big)!;
    if (bigId.status === 'refused') throw new Error('big.md refused');
    kb.remove(bigId.entityId);
    expect(kb.vectorCount(entry.name)).toBe(0);
    expect(store.nearest({ namespace: KNOWLEDGE_NAMESPACE, model: entry.name, vector: probe!, k: 200 })).toEqual([]);
  }, 180_000);

  /** Scripted embedding: one dimension per concept, counting the concept's words (synonyms share one). */
  const CONCEPTS = [['car', 'automobile', 'vehicle'], ['fuel', 'petrol', 'gasoline'], ['signed', 'signature', 'keys', 'ed25519'], ['judge', 'veto', 'council']];
  const scripted: TextEmbedder = {
    model: () => 'scripted-concepts',
    embed: async (_model, texts) =>
      texts.map((t) => {
        const words = t.toLowerCase().split(/[^a-z0-9]+/);
        return CONCEPTS.map((c) => words.filter((w) => c.includes(w)).length + 0.01);
      }),
  };
  const DOCS = {
    'garage.md': '# Garage\n\nThe car needs fuel before the trip; check the gasoline gauge.\n',
    'signing.md': '# Signing\n\nAudit bundles are signed with Ed25519 keys.\n',
    'council.md': '# Council\n\nA veto from the security judge rejects the change.\n',
  };

  it('hybrid search finds a chunk sharing no word with the query when its vector is nearest; without a model it is FTS as before', async () => {
    db = openDatabase({ file: ':memory:', logger: silentLogger() });
    const paths = files(DOCS);
    const hybrid = new KnowledgeService({ db, logger: silentLogger(), clock: systemClock, embedder: scripted });
    await hybrid.add(paths);
    expect(hybrid.vectorCount('scripted-concepts')).toBe(3);

    const query = 'automobile petrol';
    expect(hybrid.search(query, 5)).toEqual([]);
    const hits = await hybrid.rank(query, 5);
    expect(hits[0]).toMatchObject({ title: 'garage.md', ranking: 'hybrid' });
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);

    // A query with words in common still puts the FTS and vector agreement first.
    expect((await hybrid.rank('signed keys', 5))[0]).toMatchObject({ title: 'signing.md', ranking: 'hybrid' });

    // The same database read without an embedding model: FTS alone, and it says so.
    const ftsOnly = new KnowledgeService({ db, logger: silentLogger(), clock: systemClock });
    expect(await ftsOnly.rank(query, 5)).toEqual([]);
    expect((await ftsOnly.rank('veto judge', 5))[0]).toMatchObject({ title: 'council.md', ranking: 'fts' });
  });

  it('a task-scoped vector hit stays out of another task’s search', async () => {
    db = openDatabase({ file: ':memory:', logger: silentLogger() });
    const [garage] = files({ 'garage.md': DOCS['garage.md'] });
    const kb = new KnowledgeService({ db, logger: silentLogger(), clock: systemClock, embedder: scripted });
    await kb.addData({ source: garage!, title: 'garage.md', data: Buffer.from(DOCS['garage.md']), taskId: 'task_a' });
    expect((await kb.rank('automobile petrol', 5, 'task_a')).map((h) => h.title)).toEqual(['garage.md']);
    expect(await kb.rank('automobile petrol', 5, 'task_b')).toEqual([]);
  });

  it('reciprocal rank fusion sums 1/(60+rank) over the lists', () => {
    const fused = reciprocalRankFusion([[1, 2, 3], [3, 4]]);
    expect(fused.map((f) => f.id)).toEqual([3, 1, 2, 4]);
    expect(fused[0]!.score).toBeCloseTo(1 / 63 + 1 / 61, 10);
  });
});
