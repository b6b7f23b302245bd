import test from 'node:test';
import assert from 'node:assert/strict';
import { mean } from '../src/stats.ts';

test('mean', () => assert.equal(mean([1, 2, 3]), 2));
