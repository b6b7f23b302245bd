import test from 'node:test';
import assert from 'node:assert/strict';
test('the suite runs', () => assert.ok(true));
