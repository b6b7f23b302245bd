import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from '../../../../../test/helpers';
import { modelChannels } from '../../../../shared/channels/models';
import { fixedMemoryProbe } from '../../models/memory-probe';
import { ensureTestModel } from '../../models/testing/test-model';
import { ContractSession } from '../session';

let core: ReturnType<typeof testCore> | undefined;
afterEach(() => core?.cleanup());

function session() {
  core = testCore({
    models: { threads: 1, gpu: false, idleUnloadMs: 0, memory: fixedMemoryProbe({ totalBytes: 16 * 1024 ** 3, availableBytes: 10 * 1024 ** 3, gpu: 'cpu' }) },
  });
  return new ContractSession(core, () => undefined);
}

describe('model channels', () => {
  it('adds a model by path and shows it in a snapshot that matches the contract', async () => {
    const s = session();
    const added = await s.call('addModel', { path: await ensureTestModel(), name: 'tiny' });
    expect(added).toMatchObject({ ok: true, value: { kind: 'gguf', name: 'tiny' } });
    const snap = await s.call('modelsSnapshot', {});
    expect(snap.ok).toBe(true);
    if (!snap.ok) return;
    const value = modelChannels.modelsSnapshot.output.parse(snap.value);
    expect(value.models.map((m) => [m.entry.name, m.state, m.fit?.verdict, m.roles.length])).toEqual([['tiny', 'unloaded', 'fits', 6]]);
    expect(value.machine).toMatchObject({ totalBytes: 16 * 1024 ** 3, budgetBytes: 12 * 1024 ** 3, gpu: 'cpu' });
    // 16 GB machine: the 8B Q8 and Phi-4 are tight or too large, Phi-3 mini fits.
    const badges = Object.fromEntries(value.catalogue.map((c) => [c.entry.id, c.fit]));
    expect(badges['phi-3-mini-4k-instruct-q4']).toBe('fits');
    expect(badges['phi-4-q4']).toBe('tight');
    expect(value.catalogue.every((c) => !c.installed)).toBe(true);
  });

  it('loads, swaps, and reports events after a sequence number', async () => {
    const s = session();
    const path = await ensureTestModel();
    await s.call('addModel', { path, name: 'a' });
    const copy = join(core!.dataDir, 'b.gguf');
    copyFileSync(path, copy);
    await s.call('addModel', { path: copy, name: 'b' });
    const before = await s.call('modelEvents', { afterSeq: 0 });
    const seq = before.ok ? (before.value as { lastSeq: number }).lastSeq : -1;
    expect(await s.call('loadModel', { name: 'a' })).toMatchObject({ ok: true, value: { state: 'loaded' } });
    expect(await s.call('swapModel', { role: 'worker', model: 'b' })).toMatchObject({ ok: true, value: { from: 'a', to: 'b' } });
    const after = await s.call('modelEvents', { afterSeq: seq });
    expect(after.ok).toBe(true);
    const types = after.ok ? (after.value as { events: Array<{ type: string }> }).events.map((e) => e.type) : [];
    // The resource manager's decisions (sequences per model) come between; the lifecycle is this.
    expect(types.filter((t) => t !== 'model.resources')).toEqual(['model.loading', 'model.loaded', 'model.loading', 'model.loaded', 'model.swapped']);
  });

  it('answers bad input with field errors, and a bad file with a clear message', async () => {
    const s = session();
    expect(await s.call('addModel', { path: '' })).toMatchObject({ ok: false, error: { code: 'invalid_input', issues: [{ path: 'path' }] } });
    expect(await s.call('assignModelRole', { role: 'boss', model: 'x' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const junk = join(core!.dataDir, 'junk.gguf');
    writeFileSync(junk, 'hello');
    expect(await s.call('addModel', { path: junk })).toMatchObject({ ok: false, error: { code: 'invalid_input', message: `${junk} is not a GGUF model file (it does not start with "GGUF")` } });
    expect(await s.call('loadModel', { name: 'nope' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await s.call('startModelDownload', { catalogueId: 'no-such' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});
