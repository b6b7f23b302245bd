import test from 'node:test';
import assert from 'node:assert/strict';
import { addUser, findByName } from '../src/store.ts';
import { formatUser } from '../src/format.ts';
import { readFileSync } from 'node:fs';

test('username field', () => {
  const u = addUser(7, 'grace', 'g@example.com') as unknown as Record<string, unknown>;
  assert.equal(u['username'], 'grace');
  assert.equal(u['userName'], undefined);
  assert.equal(findByName('grace')?.id, 7);
  assert.equal(formatUser({ id: 1, username: 'x', email: 'y' } as never), 'x <y>');
  for (const f of ['src/types.ts', 'src/format.ts', 'src/store.ts']) assert.ok(!readFileSync(f, 'utf8').includes('userName'), f);
});
