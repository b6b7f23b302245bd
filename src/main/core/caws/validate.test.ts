import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssues } from './validate';
import { parseSpecYaml, serializeSpec } from './yaml';

const FIXTURES = join(__dirname, '../../../../test/fixtures/caws');
const files = (kind: 'valid' | 'invalid') => readdirSync(join(FIXTURES, kind)).filter((f) => f.endsWith('.yaml')).sort();
const read = (kind: string, file: string) => readFileSync(join(FIXTURES, kind, file), 'utf8');

describe('working spec validation', () => {
  it('has a rich fixture set', () => {
    expect(files('valid').length).toBeGreaterThanOrEqual(10);
    expect(files('invalid').length).toBeGreaterThanOrEqual(40);
  });

  it.each(files('valid'))('accepts valid/%s', (file) => {
    const result = parseSpecYaml(read('valid', file));
    if (!result.ok) throw new Error(`${file}: ${formatIssues(result.issues)}`);
    expect(result.spec.id).toMatch(/^[A-Z]/);
  });

  it.each(files('invalid'))('rejects invalid/%s naming the field', (file) => {
    const text = read('invalid', file);
    const expected = [...text.matchAll(/^# expect: (.+)$/gm)].map((m) => m[1]!);
    expect(expected.length).toBeGreaterThan(0);
    const result = parseSpecYaml(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const lines = result.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
    for (const want of expected) {
      expect(lines.some((l) => l.startsWith(want)), `${file}: expected an issue starting with "${want}", got:\n${lines.join('\n')}`).toBe(true);
    }
  });

  it('round-trips every valid fixture through serialize and parse', () => {
    for (const file of files('valid')) {
      const first = parseSpecYaml(read('valid', file));
      if (!first.ok) throw new Error(file);
      const again = parseSpecYaml(serializeSpec(first.spec));
      expect(again.ok && again.spec).toEqual(first.spec);
    }
  });

  it('writes fields in the canonical CAWS order', () => {
    const parsed = parseSpecYaml(read('valid', 'tier1-full.yaml'));
    if (!parsed.ok) throw new Error('fixture');
    const keys = serializeSpec(parsed.spec)
      .split('\n')
      .filter((l) => /^[a-z_]+:/.test(l))
      .map((l) => l.split(':')[0]);
    expect(keys.slice(0, 5)).toEqual(['id', 'title', 'risk_tier', 'mode', 'lifecycle_state']);
    expect(keys.indexOf('blast_radius')).toBeLessThan(keys.indexOf('scope'));
    expect(keys.indexOf('rollback')).toBeGreaterThan(keys.indexOf('contracts'));
  });

  it('reports every problem of a broken spec in one pass', () => {
    const result = parseSpecYaml(read('invalid', 'many-problems-at-once.yaml'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.length).toBeGreaterThanOrEqual(4);
  });

  it('refuses oversized input before parsing it', () => {
    const result = parseSpecYaml(`title: ${'x'.repeat(300 * 1024)}`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]!.message).toMatch(/larger than/);
  });
});
