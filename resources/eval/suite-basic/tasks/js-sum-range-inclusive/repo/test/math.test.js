import test from 'node:test';
import assert from 'node:assert/strict';
import { sumRange } from '../src/math.js';

test('an empty range sums to zero', () => assert.equal(sumRange(5, 4), 0));
