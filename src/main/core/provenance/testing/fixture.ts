import type { Core } from '../../core';
import type { NewEvent } from '../../../../shared/domain/events';
import { sha256Hex } from '../../db/canonical';

export const FIXTURE_PATCH = `diff --git a/src/signup.ts b/src/signup.ts
--- a/src/signup.ts
+++ b/src/signup.ts
@@ -1,3 +1,5 @@
 export function signup(email: string) {
+  if (!/^[^@]+@[^@]+$/.test(email)) throw new Error('invalid email');
   return save(email);
 }
`;

/**
 * A dry-run task with the history a real one leaves: planning with a model, a plan approval by a
 * named person, four votes and a verdict, a gate result, a kept patch and source-integrity records.
 * The patch is kept in `task_patches` as the workspace keeps a dry-run's patch.
 */
export async function taskWithHistory(core: Core & { repo: string }, description = 'add input validation to signup'): Promise<string> {
  const task = core.tasks.submit({ description, repoPath: core.repo, mode: 'dry-run', riskTier: 2, priority: 'normal', maxIterations: 3 });
  let n = 0;
  const append = (e: NewEvent) => core.journal.append(task.id, e, `${task.id}:fixture:${n++}`);
  append({ type: 'phase.started', payload: { phase: 'planning' } });
  append({ type: 'model.tokens', payload: { model: 'qwen2.5-coder-7b-instruct-q4_k_m', role: 'planner', text: 'scope: src/signup.ts', count: 9 } });
  append({ type: 'approval.requested', payload: { gate: 'plan', summary: 'approve the working spec FEAT-0042' } });
  append({ type: 'approval.granted', payload: { gate: 'plan', actor: { who: 'alice', via: 'window' } } });
  for (const judgeId of ['constitutional', 'technical', 'quality', 'integration']) {
    append({ type: 'council.vote', payload: { judgeId, verdict: 'pass', confidence: 0.8 } });
  }
  append({ type: 'council.verdict', payload: { decision: 'accept', score: 0.86 } });
  append({ type: 'gate.result', payload: { gate: 'tests', status: 'pass', details: '12 passed' } });
  append({ type: 'artifact.produced', payload: { kind: 'patch', name: 'dry-run.patch', sha256: sha256Hex(FIXTURE_PATCH) } });
  append({ type: 'task.completed', payload: {} });

  core.db
    .prepare(
      `INSERT INTO task_patches (task_id, sha256, base_commit, source_kind, patch, files_json, created_at)
       VALUES (?, ?, ?, 'git', ?, '["src/signup.ts"]', ?)`,
    )
    .run(task.id, sha256Hex(FIXTURE_PATCH), 'a'.repeat(40), Buffer.from(FIXTURE_PATCH), task.createdAt);
  core.provenance.recordSourceIntegrity(task.id, 'src/signup.ts', sha256Hex('export function signup() {}'), 'read');
  core.provenance.recordSourceIntegrity(task.id, 'src/signup.ts', sha256Hex(FIXTURE_PATCH), 'written');
  await core.provenance.whenIdle();
  return task.id;
}
