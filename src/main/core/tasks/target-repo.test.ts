import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/helpers';
import { AppFailure } from '../../../shared/errors';
import { defaultAllowedRoots, validateTargetRepo } from './target-repo';

const root = tempDir('aa-target-');
afterAll(() => root.cleanup());
const repo = join(root.dir, 'code', 'app');
mkdirSync(repo, { recursive: true });
execFileSync('git', ['init', '-q'], { cwd: repo });
const plain = join(root.dir, 'code', 'plain');
mkdirSync(plain, { recursive: true });
const data = join(root.dir, 'data');
mkdirSync(join(data, 'workspaces', 'x'), { recursive: true });
execFileSync('git', ['init', '-q'], { cwd: join(data, 'workspaces', 'x') });
symlinkSync('/etc', join(root.dir, 'code', 'etc-link'));

const rules = { allowedRoots: [root.dir], dataDir: data, requireGit: true };
const refusal = (path: string, over: Partial<typeof rules> = {}) => {
  try {
    validateTargetRepo(path, { ...rules, ...over });
  } catch (e) {
    expect(e).toBeInstanceOf(AppFailure);
    expect((e as AppFailure).code).toBe('invalid_input');
    expect((e as AppFailure).issues?.[0]?.path).toBe('repoPath');
    return (e as AppFailure).message;
  }
  return 'accepted';
};

describe('the target repository check', () => {
  it('accepts a git repository inside an allowed root', () => {
    expect(validateTargetRepo(repo, rules)).toBe(repo);
  });

  it('refuses / and system folders, even when the allowed roots would include them', () => {
    for (const p of ['/', '/etc', '/usr/lib', '/var/lib', '/proc', '/bin', '/tmp']) {
      expect(refusal(p, { allowedRoots: ['/'] }), p).toMatch(/system folder|not an existing folder/);
    }
  });

  it('refuses a symbolic link into a system folder', () => {
    expect(refusal(join(root.dir, 'code', 'etc-link'), { allowedRoots: ['/'] })).toMatch(/system folder/);
  });

  it("refuses the home folder itself and the app's data folder, inside or around it", () => {
    expect(refusal(homedir(), { allowedRoots: ['/'] })).toMatch(/whole home folder/);
    expect(refusal(join(data, 'workspaces', 'x'))).toMatch(/app's own data folder/);
    expect(refusal(root.dir, { requireGit: false })).toMatch(/app's own data folder/);
  });

  it('refuses a folder outside the allowed roots, naming them', () => {
    expect(refusal(repo, { allowedRoots: [join(root.dir, 'elsewhere')] })).toMatch(/outside the folders tasks may target/);
  });

  it('requires a git repository unless the task says otherwise', () => {
    expect(refusal(plain)).toMatch(/not the root of a git repository/);
    expect(refusal(join(repo, '..'), { requireGit: true })).toMatch(/not the root of a git repository/);
    expect(validateTargetRepo(plain, { ...rules, requireGit: false })).toBe(plain);
  });

  it('defaults the allowed roots to the home folder', () => {
    expect(defaultAllowedRoots({})).toEqual([homedir()]);
    expect(defaultAllowedRoots({ AGENT_AGENCY_ALLOWED_ROOTS: '/a:/b' })).toEqual(['/a', '/b']);
    expect(defaultAllowedRoots({ AGENT_AGENCY_ALLOWED_ROOTS: 'relative' })).toEqual([homedir()]);
  });
});
