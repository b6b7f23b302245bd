import test from 'node:test';
import assert from 'node:assert/strict';
import { statusLabel } from '../src/labels.ts';

test('labels', () => assert.equal(statusLabel('live'), 'Live'));
