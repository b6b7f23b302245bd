import type { PathPolicy, ScopeSpec } from '../workspace/policy';

export type SpecWritePolicyOptions = {
  /** The scope of the task's current working spec, or undefined before it has one. */
  scopeOf(taskId: string): ScopeSpec | undefined;
  /** The app's allow-list of paths workers may write at all (the worker's own edits use the same). */
  allow?: readonly string[] | undefined;
  /** Paths never written or read by a tool, whatever the scope says. */
  deny?: readonly string[] | undefined;
};

/**
 * The path policy a task's tool calls are held to: the same scope and lists its worker's own
 * edits are held to, so a tool cannot write what an edit could not. No spec yet → no policy, and
 * the guard refuses every tool write.
 */
export function specWritePolicy(options: SpecWritePolicyOptions): (taskId: string) => PathPolicy | undefined {
  return (taskId) => {
    const scope = options.scopeOf(taskId);
    if (!scope) return undefined;
    return { scope, allow: options.allow ?? ['**'], ...(options.deny ? { deny: options.deny } : {}) };
  };
}
