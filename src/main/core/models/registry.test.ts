import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppFailure } from '../../../shared/errors';
import { getModel, updateModelFacts } from '../db/queries/models';
import { serviceFixture, type ServiceFixture } from './testing/service-fixture';
import { testModelBytes } from './testing/test-model';

let fx: ServiceFixture;
afterEach(async () => fx?.close());

describe('model registry', () => {
  it('adds a GGUF by path with the facts read from its header', async () => {
    fx = await serviceFixture();
    const path = fx.modelCopy('tiny');
    const entry = await fx.service.addByPath({ path });
    expect(entry.kind).toBe('gguf');
    if (entry.kind !== 'gguf') return;
    expect(entry.name).toBe('agent-agency-tiny-llama');
    expect(entry.path).toBe(path);
    expect(entry.sizeBytes).toBe(readFileSync(path).length);
    expect(entry.sha256).toBe(testModelBytes().sha256);
    expect(entry.facts).toMatchObject({ architecture: 'llama', quantization: 'F16', contextLength: 1024, layers: 2, embeddingLength: 64 });
    // 2 layers x 2 KV heads x (16 + 16) dims x 2 bytes per context token.
    expect(entry.facts.kvBytesPerToken).toBe(256);
    expect(entry.facts.parameters).toBeGreaterThan(100_000);
    expect(fx.service.registry.list().map((m) => m.name)).toEqual(['agent-agency-tiny-llama']);
    expect(fx.events.map((e) => e.type)).toContain('model.added');
  });

  it('gives a second copy a distinct name and refuses the same path twice', async () => {
    fx = await serviceFixture();
    const a = await fx.service.addByPath({ path: fx.modelCopy('a') });
    const b = await fx.service.addByPath({ path: fx.modelCopy('b') });
    expect(b.name).toBe(`${a.name}-2`);
    await expect(fx.service.addByPath({ path: fx.modelCopy('a') })).rejects.toMatchObject({ code: 'conflict' });
    await expect(fx.service.addByPath({ path: fx.modelCopy('c'), name: a.name })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('refuses a missing, non-GGUF or truncated file with a clear error event and registers nothing', async () => {
    fx = await serviceFixture();
    const missing = join(fx.dir, 'nope.gguf');
    const text = join(fx.dir, 'notes.gguf');
    writeFileSync(text, 'just some text, not a model\n');
    const bytes = testModelBytes().bytes;
    const cutInTensors = join(fx.dir, 'cut-data.gguf');
    writeFileSync(cutInTensors, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const cutInHeader = join(fx.dir, 'cut-header.gguf');
    writeFileSync(cutInHeader, bytes.subarray(0, 2000));

    await expect(fx.service.addByPath({ path: missing })).rejects.toMatchObject({ code: 'not_found', message: `no model file at ${missing}` });
    await expect(fx.service.addByPath({ path: text })).rejects.toThrow(/is not a GGUF model file/);
    await expect(fx.service.addByPath({ path: cutInTensors })).rejects.toThrow(/is truncated: tensor .* ends at byte \d+ but the file has \d+ bytes/);
    await expect(fx.service.addByPath({ path: cutInHeader })).rejects.toThrow(/damaged or truncated GGUF file/);
    await expect(fx.service.addByPath({ path: 'relative/model.gguf' })).rejects.toMatchObject({ code: 'invalid_input' });

    expect(fx.service.registry.list()).toEqual([]);
    const failures = fx.events.filter((e) => e.type === 'model.add_failed');
    expect(failures.map((e) => (e.type === 'model.add_failed' ? e.source : ''))).toEqual([missing, text, cutInTensors, cutInHeader, 'relative/model.gguf']);

    // The service keeps working: a good model still adds and answers.
    await fx.service.addByPath({ path: fx.modelCopy('good') });
    const g = await fx.service.client('worker').complete('hi', { maxTokens: 3 });
    expect(g.tokens).toBe(3);
  });

  it('removes a model only when no role names it', async () => {
    fx = await serviceFixture();
    const a = await fx.service.addByPath({ path: fx.modelCopy('a') });
    const b = await fx.service.addByPath({ path: fx.modelCopy('b') });
    // The first model added took every role.
    const failure = await fx.service.remove(a.name).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AppFailure);
    expect((failure as AppFailure).message).toMatch(/still serves judge\.constitutional, .*planner, worker; assign those roles another model first/);
    await fx.service.remove(b.name);
    expect(fx.service.registry.list().map((m) => m.name)).toEqual([a.name]);
  });

  it('records remote endpoints, keeping the API key out of the entry', async () => {
    fx = await serviceFixture();
    const a = await fx.service.addByPath({ path: fx.modelCopy('a') });
    await fx.service.addRemote({ name: 'big-remote', baseUrl: 'http://127.0.0.1:9/v1', model: 'llama-70b', apiKey: 'k' });
    const names = fx.service.registry.list().map((m) => m.name);
    expect(names).toEqual([a.name, 'big-remote']);
    const remote = fx.service.registry.get('big-remote');
    expect(remote).toMatchObject({ kind: 'remote', endpoint: { baseUrl: 'http://127.0.0.1:9/v1', model: 'llama-70b', hasApiKey: true } });
    expect(JSON.stringify(remote)).not.toContain('"k"');
    expect(fx.service.registry.apiKey('big-remote')).toBe('k');
  });

  it('reads again the head widths of a model recorded before they were, so a KV type its heads cannot hold loads as f16', async () => {
    fx = await serviceFixture();
    const added = await fx.service.addByPath({ path: fx.modelCopy('old') });
    if (added.kind !== 'gguf') throw new Error('expected a local model');
    expect(added.facts.headDims).toEqual({ k: 16, v: 16 });
    // As an older version stored it: no head widths.
    const { headDims: _dropped, ...older } = added.facts;
    updateModelFacts(fx.db, added.name, older);
    expect((getModel(fx.db, added.name) as typeof added).facts.headDims).toBeUndefined();

    fx.service.settingsStore.setUser(added.name, { kvCacheType: 'q8_0' });
    const plan = await fx.service.host.plan(fx.service.registry.require(added.name));
    expect(plan.settings?.kvCacheType).toBe('f16');
    expect(plan.settings?.notes.join(' ')).toMatch(/multiple of 32 wide/);
    // Stored for next time; and the model loads and answers with that plan.
    expect((getModel(fx.db, added.name) as typeof added).facts.headDims).toEqual({ k: 16, v: 16 });
    await fx.service.load(added.name);
    expect(fx.service.host.isLoaded(added.name)).toBe(true);
    // A file that cannot be read now leaves the entry as it was.
    const gone = { ...added, path: `${added.path}.gone`, facts: older };
    expect(await fx.service.registry.withCurrentFacts(gone)).toBe(gone);
  });
});
