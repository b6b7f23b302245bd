import test from 'node:test';
import assert from 'node:assert/strict';
import { overlaps } from '../src/interval.ts';

test('disjoint', () => assert.equal(overlaps({ start: 1, end: 2 }, { start: 4, end: 5 }), false));
