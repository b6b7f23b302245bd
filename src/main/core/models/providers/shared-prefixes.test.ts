import { describe, expect, it } from 'vitest';
import { MIN_GAIN_CHARS, MIN_SHARED_CHARS, SharedPrefixes } from './shared-prefixes';

const material = 'm'.repeat(MIN_SHARED_CHARS + 100);

describe('shared prefixes between the sequences of one model', () => {
  it('offers the sequence evaluating the same beginning, and resolves when its prompt is evaluated', async () => {
    const prefixes = new SharedPrefixes<string>();
    expect(prefixes.donorFor('a', `${material} technical`)).toBeUndefined();
    const a = prefixes.begin('a', `${material} technical`);
    const donor = prefixes.donorFor('b', `${material} quality`);
    expect(donor).toMatchObject({ sequence: 'a', shared: material.length + 1 });
    a.evaluated(612);
    expect(await donor!.evaluated).toBe(612);
  });

  it('never offers a short common beginning, or one the sequence already holds', () => {
    const prefixes = new SharedPrefixes<string>();
    prefixes.begin('a', `${'x'.repeat(MIN_SHARED_CHARS - 2)} technical`);
    expect(prefixes.donorFor('b', `${'x'.repeat(MIN_SHARED_CHARS - 2)} quality`)).toBeUndefined();
    prefixes.begin('c', `${material} technical`);
    prefixes.begin('d', `${material.slice(0, -MIN_GAIN_CHARS + 50)} and so on`);
    expect(prefixes.donorFor('d', `${material} quality`)).toBeUndefined();
  });

  it('chooses the longest match, and a call sees only calls registered before it', () => {
    const prefixes = new SharedPrefixes<string>();
    prefixes.begin('a', `${material.slice(0, MIN_SHARED_CHARS)} short`);
    prefixes.begin('b', `${material} long`);
    expect(prefixes.donorFor('c', `${material} longer`)?.sequence).toBe('b');
    // b asked before it began: it could only have waited for a, never for a later call.
    const fresh = new SharedPrefixes<string>();
    expect(fresh.donorFor('b', `${material} long`)).toBeUndefined();
  });

  it('a call that ends without a first token still releases those waiting on it', async () => {
    const prefixes = new SharedPrefixes<string>();
    const a = prefixes.begin('a', `${material} technical`);
    const waiting = prefixes.donorFor('b', `${material} quality`)!.evaluated;
    a.evaluated(undefined);
    a.evaluated(40); // only the first report counts
    expect(await waiting).toBeUndefined();
  });

  it('prefers the sequence that evaluated the material over one that copied it, unless the copy holds much more', () => {
    const prefixes = new SharedPrefixes<string>();
    prefixes.begin('a', `${material} constitutional`);
    const forB = prefixes.donorFor('b', `${material} technical`);
    prefixes.begin('b', `${material} technical`, forB !== undefined);
    // c shares one more character with b ("t") than with a: still a, which copies without waiting on b.
    expect(prefixes.donorFor('c', `${material} tquality`)?.sequence).toBe('a');
    const more = `${material} technical ${'n'.repeat(MIN_GAIN_CHARS)}`;
    prefixes.begin('b', more, true);
    expect(prefixes.donorFor('d', `${more} and the rest`)?.sequence).toBe('b');
  });
});
