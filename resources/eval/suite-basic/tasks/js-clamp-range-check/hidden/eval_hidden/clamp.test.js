import test from 'node:test';
import assert from 'node:assert/strict';
import { clamp } from '../src/clamp.js';

test('min above max throws RangeError', () => assert.throws(() => clamp(1, 5, 2), RangeError));
test('still clamps', () => assert.equal(clamp(2, 0, 3), 2));
test('equal bounds are fine', () => assert.equal(clamp(9, 4, 4), 4));
