import { describe, expect, it } from 'vitest';
import { canonicalHash, canonicalJson } from './canonical';

describe('canonical JSON (RFC 8785)', () => {
  it('matches the example of RFC 8785 section 3.2.2', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    ) as unknown;
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts keys by UTF-16 code units, at every depth, and ignores layout', () => {
    const a = JSON.parse('{ "b": 1, "a": { "z": [ 1, { "y": 2, "x": 1 } ], "\u00e9": 0, "\ud83d\ude00": 0, "\ufb33": 0 } }') as unknown;
    expect(canonicalJson(a)).toBe('{"a":{"z":[1,{"x":1,"y":2}],"é":0,"😀":0,"דּ":0},"b":1}');
    expect(canonicalHash({ x: 1, y: [true] })).toBe(canonicalHash(JSON.parse('{"y":[ true ],\n "x": 1.0}')));
  });

  it('drops undefined properties like JSON does, and refuses what JSON cannot hold', () => {
    expect(canonicalJson({ a: undefined, b: -0 })).toBe('{"b":0}');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/\$\.n is not a finite number/);
    expect(() => canonicalJson([1, undefined])).toThrow(/\$\[1\] is undefined/);
    expect(() => canonicalJson({ d: new Date(0) })).toThrow(/not a plain object/);
    expect(() => canonicalJson({ b: 1n })).toThrow(/bigint/);
  });
});
