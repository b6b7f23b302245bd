import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { runtimeReadOnly } from './runtime-paths';

const AbsolutePath = z.string().min(1).refine((p) => isAbsolute(p), { message: 'must be an absolute path' });

/** Resource limits of one sandboxed command; each one, when hit, ends the run with a named reason. */
export const SandboxLimits = z
  .object({
    /** Wall-clock time before the whole process tree is killed. */
    wallTimeMs: z.number().int().positive(),
    /** CPU seconds per process (RLIMIT_CPU). */
    cpuSeconds: z.number().int().positive(),
    /** Writable data per process in bytes (RLIMIT_DATA: heap and private writable mappings). */
    memoryBytes: z.number().int().positive(),
    /** Processes the command may have at once (RLIMIT_NPROC, counted inside the sandbox's user). */
    maxProcesses: z.number().int().min(4),
    /** Largest file the command may write (RLIMIT_FSIZE). */
    maxFileBytes: z.number().int().positive(),
    /** Bytes of stdout and of stderr kept (the tail). */
    maxOutputBytes: z.number().int().positive(),
  })
  .strict();
export type SandboxLimits = z.infer<typeof SandboxLimits>;

/**
 * What a sandboxed command may touch, as data. Both backends (bubblewrap, sandbox-exec) are
 * generated from this one object, and `agent-agency sandbox exec` runs under exactly the policy the
 * gates use, so a user can reproduce any gate run by hand.
 */
export const SandboxPolicy = z
  .object({
    /** The task's workspace: the only host folder the command may write. */
    workspaceDir: AbsolutePath,
    /** Folders inside the workspace that stay read-only (the workspace's `.git`: hooks there would run outside the sandbox). */
    readOnlyInWorkspace: z.array(z.string().min(1)),
    /** Host folders the command may read besides the system (everything else under a hidden folder stays unseen). */
    extraReadOnly: z.array(AbsolutePath),
    /** Host paths the command must not see at all: the home folder, credential folders, the app's data folder. */
    hidden: z.array(AbsolutePath),
    /** Outbound network. Off unless the task or a standing grant allows it. */
    network: z.boolean(),
    limits: SandboxLimits,
  })
  .strict();
export type SandboxPolicy = z.infer<typeof SandboxPolicy>;

export const DEFAULT_LIMITS: SandboxLimits = {
  wallTimeMs: 10 * 60_000,
  cpuSeconds: 15 * 60,
  memoryBytes: 4 * 1024 ** 3,
  maxProcesses: 256,
  maxFileBytes: 1024 ** 3,
  maxOutputBytes: 256 * 1024,
};

/** Credential and key folders hidden even when the home folder itself is not (workspace inside home). */
export const SECRET_HOME_ENTRIES = [
  '.ssh',
  '.aws',
  '.azure',
  '.config/gcloud',
  '.config/gh',
  '.config/hub',
  '.kube',
  '.docker',
  '.gnupg',
  '.netrc',
  '.npmrc',
  '.pypirc',
  '.git-credentials',
  '.password-store',
  '.local/share/keyrings',
  'Library/Keychains',
  'Library/Cookies',
  'Library/Application Support/com.apple.TCC',
] as const;

/**
 * Toolchains people install under their home folder (nvm, pyenv, cargo, …): visible read-only so
 * `npm test` finds its node, never writable, and they hold no credentials.
 */
export const TOOL_HOME_ENTRIES = ['.nvm', '.pyenv', '.cargo/bin', '.rustup', '.volta', '.bun', '.deno', '.asdf', '.local/bin', '.local/share/pnpm', '.sdkman', 'go/bin'] as const;

export type PolicyInput = {
  workspaceDir: string;
  /** The user's home folder (tests pass a fake one). */
  homeDir?: string;
  /** The app's data folder: database, keys, other tasks' workspaces. */
  dataDir?: string;
  network?: boolean;
  limits?: Partial<SandboxLimits>;
  extraReadOnly?: string[];
  extraHidden?: string[];
  /** The app's runtime and modules, visible read-only (default: found from this process; tests may pass []). */
  runtimeReadOnly?: string[];
};

/** The policy every model-, spec- or tool-caused command runs under. */
export function buildPolicy(input: PolicyInput): SandboxPolicy {
  const home = resolve(input.homeDir ?? homedir());
  const hidden = new Set<string>([home, ...SECRET_HOME_ENTRIES.map((e) => join(home, e))]);
  if (home !== '/root') hidden.add('/root');
  if (input.dataDir) hidden.add(resolve(input.dataDir));
  for (const p of input.extraHidden ?? []) hidden.add(resolve(p));
  return SandboxPolicy.parse({
    workspaceDir: resolve(input.workspaceDir),
    readOnlyInWorkspace: ['.git'],
    extraReadOnly: [
      ...new Set([...TOOL_HOME_ENTRIES.map((e) => join(home, e)), ...(input.runtimeReadOnly ?? runtimeReadOnly()), ...(input.extraReadOnly ?? [])].map((p) => resolve(p))),
    ],
    hidden: [...hidden],
    network: input.network ?? false,
    limits: { ...DEFAULT_LIMITS, ...input.limits },
  });
}

/** One line for the journal and the UI: exactly what the command was allowed. */
export function describePolicy(policy: SandboxPolicy): string {
  const l = policy.limits;
  return [
    `write: ${policy.workspaceDir} (read-only inside: ${policy.readOnlyInWorkspace.join(', ') || 'none'}) and a private /tmp`,
    `network: ${policy.network ? 'allowed' : 'none'}`,
    `hidden: ${policy.hidden.length} paths (home, credentials, app data)`,
    `limits: ${Math.round(l.wallTimeMs / 1000)} s wall, ${l.cpuSeconds} s CPU, ${Math.round(l.memoryBytes / 1024 ** 2)} MiB memory, ${l.maxProcesses} processes`,
  ].join('; ');
}
