import { readFile, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import type { Standing } from './ledger';
import type { ClaimEvidence, KnowledgeLookup } from './types';

const MAX_FILE_BYTES = 1_000_000;

/**
 * The evidence a judge's claims about a change are checked against: the diff (which files it adds,
 * modifies or deletes), the workspace after the change (read only inside it), the latest gate
 * results, the criteria's tests as the last execution round ran them, and the knowledge base (for
 * claims about what the docs say) when given.
 */
export function reviewEvidence(input: {
  workspaceDir: string;
  changedFiles: readonly { path: string }[];
  diff?: string | undefined;
  gates: readonly { gate: string; status: 'pass' | 'fail' | 'warn' | 'skip'; details: string }[];
  standing: readonly Standing[];
  criterionIds: readonly string[];
  knowledge?: KnowledgeLookup | undefined;
}): ClaimEvidence {
  const status = diffStatuses(input.diff ?? '');
  const criterionTests = new Map<string, { passed: boolean; output: string }>();
  for (const s of input.standing) if (s.decidedBy === 'test') criterionTests.set(s.criterionId, { passed: s.status === 'verified', output: s.evidence });
  return {
    changes: input.changedFiles.map((f) => ({ path: f.path, status: status.get(f.path) ?? 'modified' })),
    readFile: async (p) => (await readBytesInside(input.workspaceDir, p))?.toString('utf8') ?? null,
    readBytes: (p) => readBytesInside(input.workspaceDir, p),
    gates: input.gates,
    criterionTests,
    criterionIds: input.criterionIds,
    ...(input.knowledge ? { knowledge: input.knowledge } : {}),
  };
}

/** Added and deleted files named by a unified diff's headers (git's `new file mode` / `deleted file mode`). */
export function diffStatuses(diff: string): Map<string, 'added' | 'modified' | 'deleted'> {
  const out = new Map<string, 'added' | 'modified' | 'deleted'>();
  let current: string | null = null;
  for (const line of diff.split('\n')) {
    const header = /^diff --git a\/(.+) b\/(.+)$/.exec(line);
    if (header) {
      current = header[2]!;
      out.set(current, 'modified');
    } else if (current && line.startsWith('new file mode')) out.set(current, 'added');
    else if (current && line.startsWith('deleted file mode')) out.set(current, 'deleted');
  }
  return out;
}

/** A workspace file's bytes, or null when it is missing, too large, or resolves outside the workspace. */
export async function readBytesInside(root: string, path: string): Promise<Buffer | null> {
  try {
    const base = await realpath(root);
    const target = await realpath(resolve(base, path));
    const rel = relative(base, target);
    if (rel.startsWith('..') || isAbsolute(rel)) return null;
    const data = await readFile(target);
    return data.length > MAX_FILE_BYTES ? null : data;
  } catch {
    return null;
  }
}
