import test from 'node:test';
import assert from 'node:assert/strict';
import { slugify } from '../src/slug.js';

test('collapses repeated dashes', () => assert.equal(slugify('a  -  b'), 'a-b'));
test('trims dashes', () => assert.equal(slugify(' Hi! '), 'hi'));
