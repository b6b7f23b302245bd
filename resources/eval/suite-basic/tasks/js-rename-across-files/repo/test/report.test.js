import test from 'node:test';
import assert from 'node:assert/strict';
import { describeUser } from '../src/index.js';

test('describes a user', () => assert.equal(describeUser(1), '#1 Ada'));
