import test from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../src/config.js';

test('defaults without overrides', () => assert.equal(loadConfig().server.port, 8080));
