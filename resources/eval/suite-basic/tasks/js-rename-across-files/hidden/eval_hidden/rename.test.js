import test from 'node:test';
import assert from 'node:assert/strict';
import * as api from '../src/index.js';
import * as users from '../src/users.js';
import { readFileSync } from 'node:fs';

test('getUser replaces getUsr', () => {
  assert.equal(typeof api.getUser, 'function');
  assert.equal(api.getUsr, undefined);
  assert.equal(users.getUsr, undefined);
  assert.deepEqual(users.getUser(2), { id: 2, name: 'Linus' });
  assert.equal(api.describeUser(3), 'no user 3');
  for (const f of ['src/users.js', 'src/report.js', 'src/index.js']) assert.ok(!readFileSync(f, 'utf8').includes('getUsr'), f);
});
