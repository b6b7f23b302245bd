import { describe, expect, it } from 'vitest';
import { applyReplacements } from './apply';

const FILE = [
  'export function total(items) {',
  '  let sum = 0;',
  '  for (const item of items) {',
  '    sum += item.price * item.quantity;',
  '  }',
  '  return sum;',
  '}',
  '',
  'export function count(items) {',
  '  return items.length;',
  '}',
  '',
].join('\n');

const ok = (r: ReturnType<typeof applyReplacements>) => {
  if (!r.ok) throw new Error(r.message);
  return r;
};

describe('applyReplacements', () => {
  it('replaces an exact match', () => {
    const r = ok(applyReplacements('a.js', FILE, [{ search: '  return sum;\n', replace: '  return Math.round(sum);\n' }]));
    expect(r.text).toBe(FILE.replace('return sum;', 'return Math.round(sum);'));
    expect(r.tiers).toEqual(['exact']);
  });

  it('keeps CRLF line ends when the model writes LF', () => {
    const crlf = FILE.replace(/\n/g, '\r\n');
    const r = ok(applyReplacements('a.js', crlf, [{ search: '  return sum;\n}', replace: '  return sum * 2;\n}' }]));
    expect(r.text).toBe(crlf.replace('return sum;', 'return sum * 2;'));
  });

  it('ignores trailing whitespace the model added, and drops it from new lines', () => {
    const r = ok(applyReplacements('a.js', FILE, [{ search: '  let sum = 0;  \n  for (const item of items) {  ', replace: '  let sum = 1;  \n  for (const item of items) {  ' }]));
    expect(r.text).toBe(FILE.replace('let sum = 0;', 'let sum = 1;'));
    expect(r.tiers).toEqual(['trailing-whitespace']);
  });

  it('re-indents the replacement to where the unindented search text was found', () => {
    const r = ok(applyReplacements('a.js', FILE, [{ search: 'for (const item of items) {\n  sum += item.price * item.quantity;\n}', replace: 'for (const item of items) {\n  if (!item) continue;\n  sum += item.price * item.quantity;\n}' }]));
    expect(r.text).toBe(FILE.replace('  for (const item of items) {\n', '  for (const item of items) {\n    if (!item) continue;\n'));
    expect(r.tiers).toEqual(['indentation']);
  });

  it('keeps a context line the model dropped', () => {
    const search = ['export function total(items) {', '  for (const item of items) {', '    sum += item.price * item.quantity;', '  }'].join('\n');
    const replace = ['export function total(items) {', '  for (const item of items) {', '    sum += item.price * (item.quantity ?? 1);', '  }'].join('\n');
    const r = ok(applyReplacements('a.js', FILE, [{ search, replace }]));
    expect(r.text).toBe(FILE.replace('item.price * item.quantity', 'item.price * (item.quantity ?? 1)'));
    expect(r.tiers).toEqual(['fuzzy']);
  });

  it('does not add a context line the model doubled', () => {
    const search = ['  let sum = 0;', '  let sum = 0;', '  for (const item of items) {', '    sum += item.price * item.quantity;', '  }', '  return sum;'].join('\n');
    const replace = ['  let sum = 0;', '  let sum = 0;', '  for (const item of items) {', '    sum += item.price;', '  }', '  return sum;'].join('\n');
    const r = ok(applyReplacements('a.js', FILE, [{ search, replace }]));
    expect(r.text).toBe(FILE.replace('item.price * item.quantity', 'item.price'));
  });

  it('places a block whose changed line is slightly mistyped, keeping mistyped context as the file has it', () => {
    const search = ['  let sum = 0;', '  for (const itme of items) {', '    sum += item.price * item.quantity;', '  }', '  return sum;'].join('\n');
    const replace = ['  let sum = 0;', '  for (const itme of items) {', '    sum += item.price;', '  }', '  return sum;'].join('\n');
    const r = ok(applyReplacements('a.js', FILE, [{ search, replace }]));
    expect(r.text).toBe(FILE.replace('item.price * item.quantity', 'item.price'));
  });

  it('refuses a block found twice, naming both lines', () => {
    const r = applyReplacements('a.js', FILE, [{ search: '}\n', replace: '};\n' }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/matches 2 places \(lines 7, 11\)/);
  });

  it('never guesses between two similar places', () => {
    const twin = ['function a() {', '  const x = compute(1);', '  log(x);', '  return x;', '}', 'function b() {', '  const x = compute(2);', '  log(x);', '  return x;', '}', ''].join('\n');
    const r = applyReplacements('t.js', twin, [{ search: '  const x = compute(3);\n  log(x);\n  return x;', replace: '  const x = compute(4);\n  log(x);\n  return x;' }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.failures[0]!.kind).toBe('ambiguous');
  });

  it('says why a block was not found, with the nearest lines and their numbers', () => {
    const r = applyReplacements('a.js', FILE, [{ search: 'export function counting(list) {\n  return list.size;\n}', replace: 'x' }]);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.failures[0]!.kind).toBe('not_found');
      expect(r.message).toContain('was not found');
      expect(r.message).toMatch(/ {4}9\| export function count\(items\) \{/);
    }
  });

  it('reports an edit that was made already', () => {
    const r = applyReplacements('a.js', FILE, [{ search: '  return total;\n', replace: '  return sum;\n' }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('already at line 6');
  });

  it('applies all blocks or none', () => {
    const r = applyReplacements('a.js', FILE, [
      { search: '  return sum;', replace: '  return 0;' },
      { search: 'nothing like this', replace: 'x' },
    ]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.failures.map((f) => f.block)).toEqual([2]);
  });

  it('creates a missing file from an empty SEARCH and refuses an empty SEARCH on a non-empty file', () => {
    expect(ok(applyReplacements('n.js', null, [{ search: '', replace: 'hello\n' }])).text).toBe('hello\n');
    const r = applyReplacements('a.js', FILE, [{ search: '\n', replace: 'x' }]);
    expect(r.ok).toBe(false);
  });

  it('refuses rather than guesses the order of a dropped line and an insertion at the same spot', () => {
    const text = 'a1\nb2\nc3\nd4\ne5\n';
    const r = applyReplacements('o.txt', text, [{ search: 'a1\nb2\nd4\ne5', replace: 'a1\nb2\nNEW\nd4\ne5' }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('c3');
  });
});

describe('a closing bracket left out of a run of them', () => {
  it('places SEARCH by the lines as indented when ignoring indentation pairs them one level off', () => {
    const file = "describe('a', function () {\n  describe('b', function () {\n    it('c', function () {\n      x()\n    })\n  })\n})\n";
    // "  })" is left out: ignoring indentation, "})" would pair with it and "    })" with "  })".
    const r = applyReplacements('test.js', file, [{ search: '      x()\n    })\n})\n', replace: '      x(1)\n    })\n})\n' }]);
    expect(r.ok && r.text).toBe(file.replace('x()', 'x(1)'));
  });
});
