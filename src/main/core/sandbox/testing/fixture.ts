import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLogger } from '../../observability/logger';
import { detectSandbox } from '../detect';
import { buildPolicy, type PolicyInput, type SandboxPolicy } from '../policy';
import { SandboxService } from '../sandbox-service';

/**
 * A host layout for escape tests, deliberately NOT under /tmp: the sandbox masks the host's /tmp,
 * which would make every escape fail for the wrong reason. Everything lives in one folder under
 * node_modules/.cache: the workspace, a fake home with ~/.ssh and ~/.aws, the user's repository
 * (a real git repo) and an outside folder.
 */
export type EscapeFixture = {
  root: string;
  workspace: string;
  home: string;
  repo: string;
  outside: string;
  dataDir: string;
  policy: (over?: Partial<PolicyInput>) => SandboxPolicy;
  cleanup: () => void;
};

export function makeEscapeFixture(): EscapeFixture {
  const base = resolve('node_modules/.cache');
  mkdirSync(base, { recursive: true });
  const root = mkdtempSync(join(base, 'sandbox-escapes-'));
  // Root hosts run the command as nobody, which must be able to walk down to the workspace.
  chmodSync(root, 0o755);
  const home = join(root, 'home');
  const repo = join(root, 'repo');
  const outside = join(root, 'outside');
  const dataDir = join(root, 'data');
  const workspace = join(root, 'ws');
  for (const d of [home, join(home, '.ssh'), join(home, '.aws'), repo, outside, dataDir, workspace]) mkdirSync(d, { recursive: true, mode: 0o755 });
  writeFileSync(join(home, '.ssh', 'id_ed25519'), 'FAKE-PRIVATE-KEY\n');
  writeFileSync(join(home, '.aws', 'credentials'), '[default]\naws_secret_access_key=FAKE\n');
  writeFileSync(join(home, 'notes.txt'), 'private notes\n');
  writeFileSync(join(dataDir, 'signing-key.json'), '{"d":"FAKE"}\n');
  writeFileSync(join(outside, 'keep.txt'), 'outside\n');
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, stdio: 'ignore', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
  git(repo, 'init', '-q');
  writeFileSync(join(repo, 'README.md'), 'user repo\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'init');
  rmSync(workspace, { recursive: true, force: true });
  git(root, 'clone', '-q', '--no-hardlinks', repo, workspace);
  return {
    root,
    workspace,
    home,
    repo,
    outside,
    dataDir,
    policy: (over = {}) => buildPolicy({ workspaceDir: workspace, homeDir: home, dataDir, limits: { wallTimeMs: 20_000 }, ...over }),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

export async function realSandbox(): Promise<SandboxService> {
  const detection = await detectSandbox();
  if (!detection.available) throw new Error(`these tests need a real sandbox: ${detection.reason}`);
  return new SandboxService({ logger: createLogger({ level: 'silent' }), detection });
}

/** Host processes whose command line contains `marker` (the sandbox's pid namespace hides nothing from the host's /proc). */
export function hostProcessesWith(marker: string, prefix = ''): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(join('/proc', entry, 'cmdline'), 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(marker) && cmdline.startsWith(prefix)) found.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

export async function until(condition: () => boolean, timeoutMs = 5_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return condition();
}
