import test from 'node:test';
import assert from 'node:assert/strict';
import { capitalize } from '../src/text.js';

test('capitalizes the first letter', () => assert.equal(capitalize('hello'), 'Hello'));
