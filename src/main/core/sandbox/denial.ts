import type { SandboxPolicy } from './policy';
import type { TreeRunResult } from './process-tree';
import type { SandboxDenial } from './types';

const SIGXCPU = 24;
const SIGXFSZ = 25;

const RULES: { kind: SandboxDenial['kind']; pattern: RegExp; message: (p: SandboxPolicy) => string; when?: (p: SandboxPolicy) => boolean }[] = [
  {
    kind: 'processes',
    pattern: /Cannot fork|fork: (retry: )?Resource temporarily unavailable|spawn EAGAIN|EAGAIN.*(fork|spawn)|can't fork/i,
    message: (p) => `process limit reached (${p.limits.maxProcesses} processes)`,
  },
  {
    kind: 'memory',
    pattern: /Cannot allocate memory|ENOMEM|heap out of memory|MemoryError|out of memory|allocation failed/i,
    message: (p) => `memory limit reached (${Math.round(p.limits.memoryBytes / 1024 ** 2)} MiB)`,
  },
  {
    kind: 'filesystem',
    pattern: /Read-only file system|EROFS/i,
    message: (p) => `write outside the workspace refused: only ${p.workspaceDir} (not its ${p.readOnlyInWorkspace.join(', ')}) and /tmp are writable`,
  },
  {
    kind: 'network',
    pattern: /Network is unreachable|ENETUNREACH|ECONNREFUSED|EAI_AGAIN|Temporary failure in name resolution|Could not resolve host|getaddrinfo|Connection refused/i,
    message: () => 'network access refused: this task has no network grant',
    when: (p) => !p.network,
  },
];

/** Names what ended the run or what the sandbox refused, from the exit status and the command's own complaints. */
export function classifyDenial(result: TreeRunResult, policy: SandboxPolicy): SandboxDenial | undefined {
  const l = policy.limits;
  if (result.aborted) return { kind: 'cancelled', message: 'cancelled: the whole process tree was killed' };
  if (result.timedOut) return { kind: 'wall-time', message: `wall-time limit reached (${Math.round(l.wallTimeMs / 1000)} s): the whole process tree was killed` };
  if (result.spawnError !== undefined) return { kind: 'spawn', message: `could not start the sandbox: ${result.spawnError}` };
  const code = result.exitCode;
  if (result.signal === 'SIGXCPU' || code === 128 + SIGXCPU) return { kind: 'cpu-time', message: `CPU-time limit reached (${l.cpuSeconds} s)` };
  if (result.signal === 'SIGXFSZ' || code === 128 + SIGXFSZ) return { kind: 'file-size', message: `file-size limit reached (${Math.round(l.maxFileBytes / 1024 ** 2)} MiB)` };
  if (code === 0) return undefined;
  const text = `${result.stderr}\n${result.stdout}`;
  for (const rule of RULES) {
    if (rule.when && !rule.when(policy)) continue;
    if (rule.pattern.test(text)) return { kind: rule.kind, message: rule.message(policy) };
  }
  return undefined;
}
