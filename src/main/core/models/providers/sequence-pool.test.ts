import { describe, expect, it } from 'vitest';
import { commonPrefixLength, SequencePool } from './sequence-pool';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('SequencePool', () => {
  it('lends the sequence whose last prompt shares the longest prefix with the new one', async () => {
    const pool = new SequencePool(['a', 'b', 'c']);
    const one = await pool.acquire('system. task one. iteration 1');
    const two = await pool.acquire('system. task two. iteration 1');
    const three = await pool.acquire('unrelated');
    one.release('system. task one. iteration 1');
    two.release('system. task two. iteration 1');
    three.release('unrelated');
    const again = await pool.acquire('system. task one. iteration 1 and what changed since');
    expect(again.sequence).toBe(one.sequence);
    const other = await pool.acquire('system. task two. iteration 2');
    expect(other.sequence).toBe(two.sequence);
  });

  it("does not overwrite another prompt's long cached tail for a short shared beginning", async () => {
    const pool = new SequencePool(['a', 'b']);
    const held = await pool.acquire('system. task one. '.padEnd(400, 'files of task one '));
    held.release('system. task one. '.padEnd(400, 'files of task one '));
    const other = await pool.acquire('system. task two. files of task two');
    expect(other.sequence).not.toBe(held.sequence);
  });

  it('never lends more than the limit; waiters go first come, first served', async () => {
    const pool = new SequencePool(['a', 'b', 'c', 'd']);
    expect(pool.setLimit(2)).toBe(2);
    const a = await pool.acquire('x');
    const b = await pool.acquire('y');
    const order: string[] = [];
    const c = pool.acquire('z').then((l) => (order.push('c'), l));
    const d = pool.acquire('w').then((l) => (order.push('d'), l));
    await tick();
    expect(order).toEqual([]);
    expect(pool.inUse).toBe(2);
    a.release('x');
    await tick();
    expect(order).toEqual(['c']);
    b.release('y');
    await tick();
    expect(order).toEqual(['c', 'd']);
    expect(pool.inUse).toBe(2);
    (await c).release('z');
    (await d).release('w');
    expect(pool.inUse).toBe(0);
  });

  it('raising the limit wakes waiters; it stays within 1..total', async () => {
    const pool = new SequencePool(['a', 'b']);
    pool.setLimit(1);
    await pool.acquire('x');
    let got = false;
    const waiting = pool.acquire('y').then(() => (got = true));
    await tick();
    expect(got).toBe(false);
    expect(pool.setLimit(99)).toBe(2);
    await waiting;
    expect(got).toBe(true);
    expect(pool.setLimit(0)).toBe(1);
  });

  it('an aborted waiter leaves the queue and rejects with an AbortError', async () => {
    const pool = new SequencePool(['a']);
    const held = await pool.acquire('x');
    const controller = new AbortController();
    const waiting = pool.acquire('y', controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    held.release('x');
    const next = await pool.acquire('z');
    expect(next.sequence).toBe('a');
  });

  it('measures common prefixes', () => {
    expect(commonPrefixLength('abcdef', 'abcxyz')).toBe(3);
    expect(commonPrefixLength('', 'abc')).toBe(0);
  });
});
