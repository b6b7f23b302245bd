import test from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../src/config.js';
import { DEFAULTS } from '../src/defaults.js';

test('nested merge keeps other keys', () => {
  const c = loadConfig({ server: { port: 9000 }, plugins: ['x'] });
  assert.deepEqual(c.server, { host: '127.0.0.1', port: 9000 });
  assert.deepEqual(c.plugins, ['x']);
  assert.deepEqual(c.log, { level: 'info', pretty: false });
  assert.equal(DEFAULTS.server.port, 8080);
});
