import test from 'node:test';
import assert from 'node:assert/strict';
import { chunk } from '../src/array.js';

test('even split', () => assert.deepEqual(chunk([1, 2, 3, 4], 2), [[1, 2], [3, 4]]));
