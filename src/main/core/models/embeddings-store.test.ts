import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../journal/journal';
import { EmbeddingStore } from './embeddings-store';
import { serviceFixture, type ServiceFixture } from './testing/service-fixture';

let fx: ServiceFixture;
afterEach(async () => fx?.close());

describe('embeddings store (sqlite-vec)', () => {
  it('inserts vectors and finds the k nearest, nearest first, per model and namespace', async () => {
    fx = await serviceFixture();
    const store = new EmbeddingStore(fx.db, systemClock);
    store.upsert({ namespace: 'docs', ref: 'east', model: 'm', text: 'east', vector: [1, 0, 0] });
    store.upsert({ namespace: 'docs', ref: 'north', model: 'm', text: 'north', vector: [0, 1, 0] });
    store.upsert({ namespace: 'docs', ref: 'north-east', model: 'm', text: 'ne', vector: [0.7, 0.7, 0] });
    store.upsert({ namespace: 'other', ref: 'east-other', model: 'm', text: 'east', vector: [1, 0.01, 0] });
    store.upsert({ namespace: 'docs', ref: 'east-m2', model: 'm2', text: 'east', vector: [1, 0, 0] });

    const hits = store.nearest({ namespace: 'docs', model: 'm', vector: [0.9, 0.1, 0], k: 2 });
    expect(hits.map((h) => h.ref)).toEqual(['east', 'north-east']);
    expect(hits[0]!.distance).toBeLessThan(hits[1]!.distance);
    expect(store.nearest({ namespace: 'other', model: 'm', vector: [1, 0, 0], k: 5 }).map((h) => h.ref)).toEqual(['east-other']);
    expect(store.nearest({ namespace: 'docs', model: 'm', vector: [1, 0, 0, 0], k: 5 })).toEqual([]);
  });

  it('replaces a ref on upsert and forgets it on remove', async () => {
    fx = await serviceFixture();
    const store = new EmbeddingStore(fx.db, systemClock);
    const id = store.upsert({ namespace: 'n', ref: 'r', model: 'm', text: 'a', vector: [1, 0] });
    store.upsert({ namespace: 'n', ref: 'other', model: 'm', text: 'b', vector: [0.6, 0.8] });
    expect(store.upsert({ namespace: 'n', ref: 'r', model: 'm', text: 'c', vector: [0, 1] })).toBe(id);
    expect(store.count('n', 'm')).toBe(2);
    expect(store.nearest({ namespace: 'n', model: 'm', vector: [0, 1], k: 1 })[0]!.ref).toBe('r');
    expect(store.remove('n', 'r', 'm')).toBe(true);
    expect(store.nearest({ namespace: 'n', model: 'm', vector: [0, 1], k: 5 }).map((h) => h.ref)).toEqual(['other']);
  });

  it('stores embeddings from the test model and finds a text by itself', async () => {
    fx = await serviceFixture();
    const entry = await fx.service.addByPath({ path: fx.modelCopy('tiny') });
    const store = new EmbeddingStore(fx.db, systemClock);
    const texts = ['add input validation to the signup form', 'rename the database column', 'fix the flaky login test'];
    const vectors = await fx.service.clientForModel(entry.name).embed(texts);
    texts.forEach((text, i) => store.upsert({ namespace: 'tasks', ref: `t${i}`, model: entry.name, text, vector: vectors[i]! }));
    const [query] = await fx.service.clientForModel(entry.name).embed([texts[1]!]);
    const hits = store.nearest({ namespace: 'tasks', model: entry.name, vector: query!, k: 3 });
    expect(hits[0]).toMatchObject({ ref: 't1' });
    expect(hits[0]!.distance).toBeCloseTo(0, 5);
    expect(hits).toHaveLength(3);
  });

  it('refuses empty or non-finite vectors', async () => {
    fx = await serviceFixture();
    const store = new EmbeddingStore(fx.db, systemClock);
    expect(() => store.upsert({ namespace: 'n', ref: 'r', model: 'm', text: '', vector: [] })).toThrow(/must have 1 to/);
    expect(() => store.upsert({ namespace: 'n', ref: 'r', model: 'm', text: '', vector: [1, Number.NaN] })).toThrow(/finite/);
  });
});
