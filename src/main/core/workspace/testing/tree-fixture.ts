import { mkdirSync, mkdtempSync, readdirSync, readFileSync, lstatSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { silentLogger } from '../../observability/logger';
import { ChangesetApplier, type ApplierOptions } from '../applier';
import { sha256 } from '../hash';
import type { PathPolicy } from '../policy';
import { SafeTree, type SafeFsHooks, type SafeFsStrategy } from '../safe-fs';

/**
 * A workspace tree for tests: `ws/` (the tree), `staging/` beside it and `outside/`, which holds a
 * file nothing may ever change. Test support only.
 */
export type TreeFixture = {
  base: string;
  ws: string;
  outside: string;
  secret: string;
  write(rel: string, content: string | Buffer): string;
  read(rel: string): Buffer;
  applier(options?: Partial<Omit<ApplierOptions, 'tree'>> & { hooks?: ApplierOptions['hooks']; fsHooks?: SafeFsHooks }): Promise<ChangesetApplier>;
  cleanup(): void;
};

export const OPEN_POLICY: PathPolicy = { scope: { in: ['.'] }, allow: ['**'] };

export function treeFixture(strategy: SafeFsStrategy): TreeFixture {
  const base = mkdtempSync(join(tmpdir(), 'aa-ws-'));
  const ws = join(base, 'ws');
  const outside = join(base, 'outside');
  mkdirSync(ws);
  mkdirSync(outside);
  const secret = join(outside, 'secret.txt');
  writeFileSync(secret, 'do not touch\n');
  return {
    base,
    ws,
    outside,
    secret,
    write(rel, content) {
      const file = join(ws, rel);
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, content);
      return sha256(typeof content === 'string' ? Buffer.from(content) : content);
    },
    read: (rel) => readFileSync(join(ws, rel)),
    async applier(options = {}) {
      const { fsHooks, ...rest } = options;
      const tree = await SafeTree.open({ root: ws, stagingDir: join(base, 'staging'), strategy, hooks: fsHooks ?? {} });
      return new ChangesetApplier({ policy: OPEN_POLICY, logger: silentLogger(), ...rest, tree });
    },
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}

/** Every entry under `dir` with its content hash (files), target (links) or mode, for before/after checks. */
export function snapshotTree(dir: string, options: { mtimes?: boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      const rel = relative(dir, full);
      const st = lstatSync(full);
      const when = options.mtimes ? `@${st.mtimeMs}` : '';
      if (st.isSymbolicLink()) out[rel] = `link:${readlinkSync(full)}${when}`;
      else if (st.isDirectory()) {
        out[`${rel}/`] = `dir:${(st.mode & 0o7777).toString(8)}${when}`;
        walk(full);
      } else out[rel] = `file:${(st.mode & 0o7777).toString(8)}:${sha256(readFileSync(full))}${when}`;
    }
  };
  walk(dir);
  return out;
}
