import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/helpers';
import { silentLogger } from '../observability/logger';
import { openDatabase } from './open';

const mode = (p: string) => statSync(p).mode & 0o777;
const tmp = tempDir('aa-modes-');
afterAll(() => tmp.cleanup());

describe.runIf(process.platform !== 'win32')('data folder permissions', () => {
  it('creates the data folder 0700 and the database and WAL 0600', () => {
    const dir = join(tmp.dir, 'fresh');
    const db = openDatabase({ file: join(dir, 'agent-agency.db'), logger: silentLogger() });
    db.prepare('CREATE TABLE IF NOT EXISTS t (x) ').run();
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'agent-agency.db'))).toBe(0o600);
    expect(mode(join(dir, 'agent-agency.db-wal'))).toBe(0o600);
    db.close();
  });

  it('tightens a looser data folder, database and key files on start', () => {
    const dir = join(tmp.dir, 'loose');
    openDatabase({ file: join(dir, 'agent-agency.db'), logger: silentLogger() }).close();
    mkdirSync(join(dir, 'keys'), { recursive: true });
    writeFileSync(join(dir, 'keys', 'signing.jwk'), '{}', { mode: 0o644 });
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'keys'), 0o755);
    chmodSync(join(dir, 'agent-agency.db'), 0o644);
    openDatabase({ file: join(dir, 'agent-agency.db'), logger: silentLogger() }).close();
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'agent-agency.db'))).toBe(0o600);
    expect(mode(join(dir, 'keys'))).toBe(0o700);
    expect(mode(join(dir, 'keys', 'signing.jwk'))).toBe(0o600);
  });
});
