import { parseSpecYaml } from '../caws/yaml';
import type { Db } from '../db/open';
import { latestSpecForTask } from '../db/queries/specs';
import { getTask } from '../db/queries/tasks';
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

/**
 * The scope of a task's current working spec as the governance records keep it (the newest spec
 * version, else the task's own spec), or undefined before it has one. A stored spec that no longer
 * parses throws: the guard turns that into a refusal, never into "no scope, anything goes".
 */
export function currentSpecScope(db: Db, taskId: string): ScopeSpec | undefined {
  const yaml = latestSpecForTask(db, taskId)?.yaml ?? getTask(db, taskId)?.spec ?? null;
  if (yaml === null) return undefined;
  const parsed = parseSpecYaml(yaml);
  if (!parsed.ok) throw new Error(`the stored working spec of ${taskId} is invalid`);
  return { in: parsed.spec.scope.in, out: parsed.spec.scope.out, support: parsed.spec.scope.support };
}
