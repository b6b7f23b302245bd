import { describe, expect, it } from 'vitest';
import { nonFinitePath, parseJsonSchema } from './json-schema';

describe('JSON schema checks', () => {
  it('accepts the subset grammars are built from', () => {
    const schema = {
      type: 'object',
      properties: { a: { type: 'string', maxLength: 5 }, b: { type: ['number', 'null'] }, c: { type: 'array', items: { enum: [1, 2] }, minItems: 1 } },
      required: ['a'],
      additionalProperties: false,
      $defs: { x: { const: 'y' } },
    };
    expect(parseJsonSchema(schema)).toEqual(schema);
  });

  it('refuses an unknown type anywhere in the tree, naming where', () => {
    expect(() => parseJsonSchema({ type: 'object', properties: { a: { type: 'text' } } })).toThrow(/properties\.a\.type/);
    expect(() => parseJsonSchema('not a schema')).toThrow(/not supported/);
  });

  it('finds numbers that overflowed to Infinity', () => {
    expect(nonFinitePath(JSON.parse('{"a":[1,{"b":5e999}]}'))).toBe('$.a[1].b');
    expect(nonFinitePath({ a: [1, 2], b: 'x', c: null })).toBeNull();
  });
});
