import test from 'node:test';
import assert from 'node:assert/strict';
import { statusLabel } from '../src/labels.ts';
import { STATUSES, isActive } from '../src/status.ts';

test('archived', () => {
  assert.equal(statusLabel('archived' as never), 'Archived');
  assert.ok((STATUSES as readonly string[]).includes('archived'));
  assert.equal(isActive('archived' as never), false);
  assert.equal(isActive('live'), true);
});
