import test from 'node:test';
import assert from 'node:assert/strict';
import { slugify } from '../src/slug.js';
import { existsSync, readFileSync } from 'node:fs';

test('collapses and trims dashes', () => {
  assert.equal(slugify('a  -  b'), 'a-b');
  assert.equal(slugify('  Hello, World!  '), 'hello-world');
  assert.equal(slugify('ok'), 'ok');
});
test('a test file for slugify exists and uses it', () => {
  assert.ok(existsSync('test/slug.test.js'));
  assert.ok(readFileSync('test/slug.test.js', 'utf8').includes('slugify'));
});
