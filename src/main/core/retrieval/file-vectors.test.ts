import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { listVectorFiles } from '../db/queries/retrieval';
import { EmbeddingStore } from '../models/embeddings-store';
import type { TextEmbedder } from '../models/text-embedder';
import { serviceFixture, type ServiceFixture } from '../models/testing/service-fixture';
import { systemClock } from '../journal/journal';
import { createLogger, silentLogger } from '../observability/logger';
import { gitSync, initRepo, writeFiles } from '../workspace/testing/git-fixture';
import { chunkText, FILE_NAMESPACE } from './file-vectors';
import { folderSource } from './folder-source';
import { indexFileFor, RepoIndex } from './repo-index';
import { RetrievalService } from './service';

/**
 * File vectors in the retrieval index: real SQLite with the real sqlite-vec extension, real git
 * repositories. The incremental and model-switch test embeds with the real node-llama-cpp tiny test
 * model (1 thread, CPU). Its weights are random, so its similarities mean nothing about words; the
 * ranking tests therefore use a scripted embedding (a few concept dimensions) for the words only,
 * as the knowledge base's tests do, with the real vec0 machinery and the real ranking.
 */

let fx: ServiceFixture | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await fx?.close();
  fx = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'aa-retrieval-vec-'));
  dirs.push(d);
  return d;
}

/** Reads the index the service keeps for `repo` (the service closes its own after each question). */
function withIndex<T>(dataDir: string, repo: string, use: (index: RepoIndex) => T): T {
  const index = new RepoIndex({ file: indexFileFor(dataDir, realpathSync(repo)), logger: silentLogger() });
  try {
    return use(index);
  } finally {
    index.close();
  }
}

function capturingLogger(): { logger: ReturnType<typeof createLogger>; warnings: () => string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ level: 'warn', destination }), warnings: () => lines.map((l) => (JSON.parse(l) as { msg: string }).msg) };
}

describe('retrieval file vectors', () => {
  it('embeds indexed text files with the real tiny model, incrementally by hash, and again when the model changes', async () => {
    fx = await serviceFixture();
    const a = await fx.service.addByPath({ path: fx.modelCopy('embed-a') });
    const b = await fx.service.addByPath({ path: fx.modelCopy('embed-b') });
    const base = tempDir();
    const repo = join(base, 'repo');
    const dataDir = join(base, 'data');
    initRepo(repo, {
      'src/invoice.ts': 'export function total(lines: number[]): number {\n  return lines.reduce((s, l) => s + l, 0);\n}\n',
      'src/signup.ts': 'export function validEmail(email: string): boolean {\n  return email.includes("@");\n}\n',
      'README.md': '# Shop\n\nInvoices and sign-up.\n',
      'logo.png': '\u0000PNG',
    });
    let current: string | undefined = a.name;
    const embedded: string[] = [];
    const embedder: TextEmbedder = {
      model: () => current,
      embed: async (model, texts, signal) => {
        embedded.push(...texts);
        return fx!.service.clientForModel(model).embed(texts, signal ? { signal } : undefined);
      },
    };
    const service = new RetrievalService({ dataDir, logger: silentLogger(), embedder });

    // First update: every indexed text file (not the image), one chunk each here.
    expect((await service.update(repo)).vectors).toEqual({ model: a.name, embedded: 3, chunks: 3, removed: 0, pending: 0, failed: false });
    expect(embedded.map((t) => t.split('\n')[0]).sort()).toEqual(['README.md', 'src/invoice.ts', 'src/signup.ts']);
    withIndex(dataDir, repo, (index) => expect(index.vectors.count(a.name)).toBe(3));

    // Nothing changed: nothing embedded again.
    embedded.length = 0;
    expect((await service.update(repo)).vectors).toMatchObject({ embedded: 0, chunks: 0, removed: 0 });
    expect(embedded).toEqual([]);

    // A changed file's vectors are replaced, a deleted file's removed; the others are not touched.
    const changed = 'export function total(lines: number[], tax: number): number {\n  return lines.reduce((s, l) => s + l, 0) * (1 + tax);\n}\n';
    writeFileSync(join(repo, 'src/invoice.ts'), changed);
    gitSync(repo, ['rm', '-q', 'README.md']);
    expect((await service.update(repo)).vectors).toMatchObject({ embedded: 1, chunks: 1, removed: 1 });
    expect(embedded).toEqual([`src/invoice.ts\n${changed}`]);
    const [probe] = await fx.service.clientForModel(a.name).embed([`src/invoice.ts\n${changed}`]);
    withIndex(dataDir, repo, (index) => {
      expect(index.vectors.count(a.name)).toBe(2);
      const store = new EmbeddingStore(index.db, systemClock);
      const hits = store.nearest({ namespace: FILE_NAMESPACE, model: a.name, vector: probe!, k: 10 });
      expect(hits.map((h) => h.ref).sort()).toEqual(['src/invoice.ts#0', 'src/signup.ts#0']);
      // The stored vector is the new text's (the tiny model is deterministic: distance 0).
      expect(hits[0]).toMatchObject({ ref: 'src/invoice.ts#0' });
      expect(hits[0]!.distance).toBeLessThan(1e-4);
    });

    // Another model: every file embedded again by it, and the first model's vectors are gone.
    current = b.name;
    embedded.length = 0;
    expect((await service.update(repo)).vectors).toMatchObject({ model: b.name, embedded: 2, chunks: 2, removed: 0 });
    withIndex(dataDir, repo, (index) => {
      expect(index.vectors.count(a.name)).toBe(0);
      expect(index.vectors.count(b.name)).toBe(2);
      expect(listVectorFiles(index.db).map((v) => v.model)).toEqual([b.name, b.name]);
    });
    const ranked = await service.relevantFiles({ repoPath: repo, task: 'total with tax', limit: 5 });
    expect(ranked.some((r) => r.signals.includes('vector'))).toBe(true);

    // No model: no vectors made or read, the ranking is as it always was.
    current = undefined;
    expect((await service.update(repo)).vectors).toBeUndefined();
    expect((await service.relevantFiles({ repoPath: repo, task: 'total with tax', limit: 5 })).some((r) => r.signals.includes('vector'))).toBe(false);
  }, 180_000);

  /** Scripted embedding: one dimension per concept, counting the concept's words (synonyms share one). */
  const CONCEPTS = [['car', 'automobile', 'vehicle'], ['fuel', 'petrol', 'gasoline'], ['trip', 'trips', 'travel'], ['format', 'string', 'text']];
  const conceptVectors = (texts: string[]) =>
    texts.map((t) => {
      const words = t.toLowerCase().split(/[^a-z0-9]+/);
      return CONCEPTS.map((c) => words.filter((w) => c.includes(w)).length + 0.01);
    });
  const ANSWER = 'src/garage/tank.ts';
  const TASK = 'The automobile runs dry of petrol on long trips';

  /** A repository where the answer shares no word with the task, and later commits changed the other files (one each). */
  function garageRepo(): string {
    const repo = join(tempDir(), 'repo');
    const others: Record<string, string> = {};
    for (let i = 0; i < 14; i++) others[`src/util/format${i}.ts`] = `export function format${i}(value: string): string {\n  return value.padStart(${i + 2});\n}\n`;
    others['src/travel/trips.ts'] = 'export const trips: string[] = [];\nexport function longTrips() {\n  return trips.filter((t) => t.length > 100);\n}\n';
    others['docs/travel.md'] = '# Travel\n\nLong trips are planned ahead.\n';
    initRepo(repo, { ...others, [ANSWER]: 'export function refill(car: Car): void {\n  // top up the gasoline so the vehicle has fuel\n  car.level = 1;\n}\n' });
    for (const [p, t] of Object.entries(others)) {
      writeFiles(repo, { [p]: `${t}// reviewed\n` });
      gitSync(repo, ['commit', '-q', '-am', `review ${p}`]);
    }
    return repo;
  }

  it('a file sharing no word with the task but nearest by vector ranks in the top 10 with vectors, and not without', async () => {
    const repo = garageRepo();
    const scripted: TextEmbedder = { model: () => 'scripted-concepts', embed: async (_m, texts) => conceptVectors(texts) };
    const withVectors = await new RetrievalService({ dataDir: join(tempDir(), 'data'), logger: silentLogger(), embedder: scripted }).relevantFiles({ repoPath: repo, task: TASK, limit: 10 });
    const hit = withVectors.find((r) => r.path === ANSWER);
    expect(hit?.signals).toContain('vector');
    // It is there by its vector alone: no word of the task is in it.
    expect(hit?.signals.filter((s) => s !== 'vector' && s !== 'prior')).toEqual([]);

    const without = await new RetrievalService({ dataDir: join(tempDir(), 'data'), logger: silentLogger() }).relevantFiles({ repoPath: repo, task: TASK, limit: 10 });
    expect(without).toHaveLength(10);
    expect(without.map((r) => r.path)).not.toContain(ANSWER);
  });

  it('an embedder that fails leaves the ranking as it is without vectors, and says so in the log', async () => {
    const repo = garageRepo();
    const plain = await new RetrievalService({ dataDir: join(tempDir(), 'data'), logger: silentLogger() }).relevantFiles({ repoPath: repo, task: TASK, limit: 10 });

    // Failing from the start: no vectors are stored, the ranking is the plain one.
    const broken = capturingLogger();
    const failing: TextEmbedder = { model: () => 'broken', embed: async () => Promise.reject(new Error('model crashed')) };
    const dataDir = join(tempDir(), 'data');
    const service = new RetrievalService({ dataDir, logger: broken.logger, embedder: failing });
    expect((await service.update(repo)).vectors).toMatchObject({ embedded: 0, failed: true, pending: 17 });
    expect(await service.relevantFiles({ repoPath: repo, task: TASK, limit: 10 })).toEqual(plain);
    expect(broken.warnings()).toContain('embedding repository files failed; retrieval ranks them without vectors');

    // Vectors stored, then the query's embedding fails: the plain ranking again.
    let queriesFail = false;
    const flaky: TextEmbedder = {
      model: () => 'scripted-concepts',
      embed: async (_m, texts) => (queriesFail ? Promise.reject(new Error('out of memory')) : conceptVectors(texts)),
    };
    const later = capturingLogger();
    const second = new RetrievalService({ dataDir: join(tempDir(), 'data'), logger: later.logger, embedder: flaky });
    expect((await second.update(repo)).vectors).toMatchObject({ embedded: 17, failed: false });
    queriesFail = true;
    expect(await second.relevantFiles({ repoPath: repo, task: TASK, limit: 10 })).toEqual(plain);
    expect(later.warnings()).toEqual(['embedding the retrieval query failed; ranking without vectors']);
  });

  it('embeds a bounded share per update and catches up on the next; a long file gives its first chunks only', async () => {
    const repo = garageRepo();
    const calls: number[] = [];
    const scripted: TextEmbedder = {
      model: () => 'scripted-concepts',
      embed: async (_m, texts) => {
        calls.push(texts.length);
        return conceptVectors(texts);
      },
    };
    const index = new RepoIndex({ file: join(tempDir(), 'index.sqlite'), logger: silentLogger(), embedder: scripted, vectorLimits: { chunksPerUpdate: 10, batch: 4 } });
    try {
      expect((await index.update(folderSource(repo))).vectors).toMatchObject({ embedded: 10, pending: 7 });
      expect(Math.max(...calls)).toBeLessThanOrEqual(4);
      expect((await index.update(folderSource(repo))).vectors).toMatchObject({ embedded: 7, pending: 0 });
      expect((await index.update(folderSource(repo))).vectors).toMatchObject({ embedded: 0, pending: 0 });
      expect(index.vectors.count('scripted-concepts')).toBe(17);
    } finally {
      index.close();
    }
    const long = Array.from({ length: 200 }, (_, i) => `line ${i} of a long generated file`).join('\n');
    const chunks = chunkText(long, { chunkChars: 300, chunksPerFile: 3 });
    expect(chunks).toHaveLength(3);
    expect(chunks.every((c) => c.length <= 300 && c.endsWith('\n'))).toBe(true);
    expect(chunks.join('')).toBe(long.slice(0, chunks.join('').length));
  });
});
