import test from 'node:test';
import assert from 'node:assert/strict';
import { capitalize } from '../src/text.js';

test('empty string stays empty', () => assert.equal(capitalize(''), ''));
test('rest unchanged', () => assert.equal(capitalize('hELLO'), 'HELLO'));
