import type { NewEvent } from '../../../shared/domain/events';
import { ToolApprovalPending } from '../tools/engine-approval';
import { describeToolsForPrompt, runToolAction, type ToolActionResult, type ToolCallAction } from '../tools/worker-tools';
import type { AppliedChangeset } from '../workspace/applier';
import { canonicalJson } from '../db/canonical';
import { sha256 } from '../workspace/hash';
import { isToolCall, toChangeset, type ToolCallProposal } from './action';
import { gatherContext } from './context';
import { shellCriterionRunner, type CriterionRunner } from './criterion-runner';
import type { IterationNote, ToolResultNote } from './prompt';
import type { Evaluation } from './scoring';
import { evaluateWorkspace } from './evaluate-workspace';
import { evaluatedEvent, stopEvent } from './loop-events';
import { DEFAULT_LIMITS, DEFAULT_MANDATORY_GATES, Interrupted, throwIfCancelled, type IterationOutcome, type IterationRecord, type LoopLimits, type LoopOptions, type LoopResult, type StopReason } from './loop-types';
import { fitPrompt, proposeAction, type ProposeDeps } from './propose';

export * from './loop-types';

type Step = {
  record: IterationRecord;
  stop?: { reason: StopReason; detail: string };
  /** A tool call waits for a human: the loop ends by throwing this after journaling the iteration. */
  awaiting?: ToolApprovalPending;
};

/** Tool results kept for the prompt (the prompt shows the latest few). */
const MAX_TOOL_RESULTS = 20;

/**
 * The generate–evaluate–refine loop: propose (model, JSON schema, validated), apply (atomic, checked),
 * evaluate (gates, acceptance criteria, score), keep or roll back, and decide whether to stop.
 */
export class AgentLoop {
  private readonly limits: LoopLimits;
  private readonly mandatory: readonly string[];
  private readonly runCriterion: CriterionRunner;
  private readonly history: IterationRecord[] = [];
  private readonly notes: IterationNote[] = [];
  private readonly seenProposals = new Set<string>();
  private readonly seenStates = new Set<string>();
  /** Tool calls made, keyed by tool, arguments and the workspace state they saw. */
  private readonly seenToolCalls = new Set<string>();
  private readonly toolResults: ToolResultNote[] = [];
  private current!: Evaluation;
  private claims: string[] = [];
  private reason: string | undefined;
  private feedback: string | null = null;
  private plateau = 0;
  private noProgress = 0;
  private patchFailures = 0;

  constructor(private readonly o: LoopOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...o.limits };
    this.mandatory = o.mandatoryGates ?? DEFAULT_MANDATORY_GATES;
    this.runCriterion = o.runCriterion ?? shellCriterionRunner;
  }

  async run(): Promise<LoopResult> {
    const first = (this.o.startIteration ?? 0) + 1;
    try {
      this.checkBoundary();
      this.current = await this.evaluateNow();
    } catch (e) {
      if (e instanceof Interrupted || this.o.signal?.aborted) return this.finish(first - 1, 'intervention', this.interruptDetail(e), null);
      throw e;
    }
    const startState = await this.stateFingerprint();
    this.seenStates.add(startState);
    for (const e of this.o.tools?.earlier ?? []) {
      this.seenToolCalls.add(toolCallKey(e.call, startState));
      this.rememberToolResult(0, e.call.tool, e.prompt);
    }
    if (this.current.mandatoryFailed.length > 0) {
      return this.finish(first - 1, 'mandatory_gate_failed', `mandatory gate failed before any change: ${this.current.mandatoryFailed.join(', ')}`, this.current);
    }
    if (this.current.satisficed) return this.finish(first - 1, 'satisficed', 'the workspace already meets the acceptance criteria', this.current);

    let last = first - 1;
    for (let i = first; i <= this.limits.maxIterations; i++) {
      try {
        this.checkBoundary();
      } catch (e) {
        return this.finish(last, 'intervention', this.interruptDetail(e), this.current);
      }
      const guidance = this.o.takeGuidance?.() ?? [];
      await this.emit({ type: 'iteration.started', payload: { iteration: i, ...(guidance.length ? { guidance: guidance.length } : {}) } }, `iteration.${i}.started`);
      const step = await this.iterate(i, guidance);
      last = i;
      this.history.push(step.record);
      this.notes.push({ iteration: i, outcome: step.record.outcome, score: step.record.score, reason: step.record.reason, detail: step.record.detail });
      if (step.awaiting) {
        await this.emitEvaluated(step.record, undefined);
        this.o.logger.info({ taskId: this.o.taskId, iteration: i, tool: step.awaiting.tool }, 'worker loop waits for a tool approval');
        throw step.awaiting;
      }
      const stop = step.stop ?? (i >= this.limits.maxIterations ? { reason: 'max_iterations' as const, detail: `reached the maximum of ${this.limits.maxIterations} iterations` } : undefined);
      await this.emitEvaluated(step.record, stop);
      if (stop) return this.result(i, stop.reason, stop.detail);
    }
    return this.finish(last, 'max_iterations', `reached the maximum of ${this.limits.maxIterations} iterations`, this.current);
  }

  private async iterate(iteration: number, guidance: string[]): Promise<Step> {
    const scoreBefore = this.current.score;
    const base = { iteration, scoreBefore, score: scoreBefore, rolledBack: false };
    try {
      const context = await gatherContext({
        workspace: this.o.workspace,
        scope: this.o.spec.scope,
        hints: [this.o.description, ...this.current.gates.filter((g) => g.status === 'fail').map((g) => g.details), ...this.current.criteria.map((c) => c.evidence)],
        ...(this.o.retrieved ? { retrieved: this.o.retrieved } : {}),
        ...(this.o.context ? { limits: this.o.context } : {}),
      });
      const tools = await this.toolCatalogue();
      const messages = await fitPrompt(this.proposeDeps(), {
        description: this.o.description,
        spec: this.o.spec,
        context,
        gates: this.current.gates,
        criteria: this.current.criteria,
        score: this.current.score,
        history: this.notes,
        feedback: this.feedback,
        guidance,
        iteration,
        maxIterations: this.limits.maxIterations,
        tools,
        toolResults: this.toolResults,
      });
      const proposal = await proposeAction(this.proposeDeps(), messages, tools !== '');
      if (!proposal.ok) {
        this.feedback = proposal.message;
        return this.failedToApply({ ...base, outcome: proposal.outcome, detail: proposal.message });
      }
      if (isToolCall(proposal.action)) return await this.toolStep(iteration, base, proposal.action);
      const action = proposal.action;
      const told = { reason: action.reason, confidence: action.confidence };
      if (action.action === 'no-op') {
        this.feedback = 'You proposed no change, but the acceptance criteria are not all met yet. Propose a change that makes progress.';
        return this.noProgressStep({ ...base, ...told, outcome: 'no_op', detail: 'the worker proposed no change' });
      }
      const fingerprint = sha256(canonicalJson(action.edits));
      if (this.seenProposals.has(fingerprint)) {
        this.feedback = 'You proposed exactly the same change as before. Try a different approach.';
        return this.noProgressStep({ ...base, ...told, outcome: 'repeated', detail: 'the same change was proposed again' });
      }
      this.seenProposals.add(fingerprint);

      const changeset = await toChangeset(action, async (p) => (await this.o.workspace.readFile(p))?.sha256 ?? null, context.seen);
      this.checkAbort();
      const applied = await this.o.workspace.apply(changeset, this.o.apply);
      if (!applied.ok) {
        const outcome: IterationOutcome = applied.kind;
        this.feedback = `Your change was not applied (${applied.kind}): ${applied.message}`;
        return this.failedToApply({ ...base, ...told, outcome, detail: applied.message });
      }
      this.patchFailures = 0;
      const change = applied.applied;
      const stats = change.stats;
      const record: Omit<IterationRecord, 'outcome'> = { ...base, ...told, changesetId: change.id, stats };
      if (stats.linesAdded + stats.linesRemoved < this.limits.minChangedLines) {
        await this.rollback(change);
        this.feedback = 'Your change did not alter any line. Propose a real change.';
        return this.noProgressStep({ ...record, outcome: 'tiny', rolledBack: true, detail: 'the change altered no line' });
      }
      const state = await this.stateFingerprint();
      if (this.seenStates.has(state)) {
        await this.rollback(change);
        this.feedback = 'Your change brought the files back to a state already tried. Try something different.';
        return this.noProgressStep({ ...record, outcome: 'repeated', rolledBack: true, detail: 'the change led back to an earlier state' });
      }
      this.seenStates.add(state);

      let next: Evaluation;
      try {
        next = await this.evaluateNow(action.criteria_met, action.reason);
      } catch (e) {
        await this.rollback(change);
        throw e;
      }
      const gates = next.gates.map((g) => ({ gate: g.gate, status: g.status }));
      if (next.claims?.length) record.claims = next.claims.map((c) => ({ kind: c.kind, subject: c.subject, text: c.text, status: c.status, evidence: c.evidence }));
      if (next.mandatoryFailed.length > 0) {
        await this.rollback(change);
        const detail = `mandatory gate failed: ${next.mandatoryFailed.join(', ')}; the change was rolled back`;
        return { record: { ...record, gates, outcome: 'mandatory_gate_failed', rolledBack: true, score: scoreBefore, detail }, stop: { reason: 'mandatory_gate_failed', detail } };
      }
      if (next.score < scoreBefore - this.limits.regressionTolerance) {
        await this.rollback(change);
        this.plateau++;
        this.feedback = `Your change lowered the score from ${scoreBefore.toFixed(2)} to ${next.score.toFixed(2)} and was rolled back. ${failureSummary(next)}`;
        const detail = `score fell from ${scoreBefore.toFixed(2)} to ${next.score.toFixed(2)}; rolled back`;
        const out: Step = { record: { ...record, gates, outcome: 'rolled_back', rolledBack: true, score: scoreBefore, detail } };
        if (this.plateau >= this.limits.plateauIterations) out.stop = { reason: 'quality_ceiling', detail: `no improvement in ${this.plateau} iterations` };
        return out;
      }
      const improvement = next.score - scoreBefore;
      this.current = next;
      this.claims = action.criteria_met;
      this.reason = action.reason;
      this.noProgress = 0;
      this.plateau = improvement < this.limits.minImprovement ? this.plateau + 1 : 0;
      this.feedback = next.satisficed ? null : failureSummary(next);
      const kept: Step = { record: { ...record, gates, outcome: improvement >= this.limits.minImprovement ? 'improved' : 'kept', score: next.score } };
      if (next.satisficed) kept.stop = { reason: 'satisficed', detail: `score ${next.score.toFixed(2)} with every acceptance criterion met` };
      else if (this.plateau >= this.limits.plateauIterations) {
        kept.stop = { reason: 'quality_ceiling', detail: `improvement under ${this.limits.minImprovement} for ${this.plateau} iterations` };
      }
      return kept;
    } catch (e) {
      if (e instanceof Interrupted || this.o.signal?.aborted) {
        const detail = this.interruptDetail(e);
        return { record: { ...base, outcome: 'interrupted', detail }, stop: { reason: 'intervention', detail } };
      }
      throw e;
    }
  }

  /**
   * One tool call as an iteration: no changeset. Its result (or why it was refused) goes into the
   * next prompt. The same call on the same workspace state again is not made: it counts towards no
   * progress. A tool that wrote into the workspace is evaluated like a kept change, though it
   * cannot be rolled back.
   */
  private async toolStep(iteration: number, base: Pick<IterationRecord, 'iteration' | 'scoreBefore' | 'score' | 'rolledBack'>, call: ToolCallProposal): Promise<Step> {
    const tools = this.o.tools;
    const told = call.reason.trim() ? { reason: call.reason } : {};
    if (!tools) throw new Error('a tool call was accepted without tools');
    const stateBefore = await this.stateFingerprint();
    const key = toolCallKey(call, stateBefore);
    if (this.seenToolCalls.has(key)) {
      this.feedback = `You already called ${call.tool} with these arguments and nothing has changed since; its result is under "Tool results". Use it: propose a change, or call something else.`;
      return this.noProgressStep({ ...base, ...told, outcome: 'repeated', detail: `the same ${call.tool} call was proposed again` });
    }
    this.checkAbort();
    let ran: ToolActionResult;
    try {
      // No approvals: an `ask` call the model proposes always goes to a human (see LoopTools).
      ran = await runToolAction(tools.service, { taskId: this.o.taskId, signal: this.o.signal ?? new AbortController().signal, approvals: [] }, call);
    } catch (e) {
      if (e instanceof ToolApprovalPending) {
        return { record: { ...base, ...told, outcome: 'awaiting_approval', detail: `waiting for approval: ${e.awaitApproval.summary}` }, awaiting: e };
      }
      throw e;
    }
    this.seenToolCalls.add(key);
    const o = ran.outcome;
    this.rememberToolResult(iteration, o.tool, ran.prompt);
    if (o.status === 'denied') {
      this.feedback = `Your call of ${o.tool} was refused (${o.rule}): ${o.reason}.`;
      return { record: { ...base, ...told, outcome: 'tool_refused', detail: `${o.tool} refused (${o.rule}): ${o.reason}` } };
    }
    const record: IterationRecord = {
      ...base,
      ...told,
      outcome: o.status === 'ok' ? 'tool_called' : 'tool_failed',
      detail: o.status === 'ok' ? `${o.tool} returned in ${o.durationMs} ms` : `${o.tool} failed: ${o.error ?? 'the tool reported an error'}`,
    };
    this.feedback = failureSummary(this.current) || null;
    const stateAfter = await this.stateFingerprint();
    if (stateAfter === stateBefore) return { record };

    this.seenStates.add(stateAfter);
    const next = await this.evaluateNow();
    const gates = next.gates.map((g) => ({ gate: g.gate, status: g.status }));
    const changed = { ...record, gates, score: next.score, detail: `${record.detail}; it changed the workspace (score ${base.scoreBefore.toFixed(2)} to ${next.score.toFixed(2)})` };
    this.current = next;
    this.noProgress = 0;
    if (next.mandatoryFailed.length > 0) {
      const detail = `mandatory gate failed after ${o.tool} changed the workspace: ${next.mandatoryFailed.join(', ')}; a tool's change cannot be rolled back`;
      return { record: { ...changed, outcome: 'mandatory_gate_failed' }, stop: { reason: 'mandatory_gate_failed', detail } };
    }
    this.feedback = next.satisficed ? null : failureSummary(next) || null;
    if (next.satisficed) return { record: changed, stop: { reason: 'satisficed', detail: `score ${next.score.toFixed(2)} with every acceptance criterion met` } };
    return { record: changed };
  }

  private rememberToolResult(iteration: number, tool: string, result: string): void {
    this.toolResults.push({ iteration, tool, result });
    if (this.toolResults.length > MAX_TOOL_RESULTS) this.toolResults.splice(0, this.toolResults.length - MAX_TOOL_RESULTS);
  }

  /** What the model may call, for its prompt; '' without tools (then no tool call is offered). */
  private async toolCatalogue(): Promise<string> {
    if (!this.o.tools) return '';
    try {
      return await describeToolsForPrompt(this.o.tools.service);
    } catch (e) {
      // The loop can still edit without a catalogue; the tool layer reports its own health.
      this.o.logger.warn({ taskId: this.o.taskId, err: e }, 'could not list tools for the worker prompt');
      return '';
    }
  }

  private evaluateNow(claims: readonly string[] = this.claims, reason: string | undefined = this.reason): Promise<Evaluation> {
    return evaluateWorkspace(this.o, { mandatory: this.mandatory, runCriterion: this.runCriterion, criterionTimeoutMs: this.limits.criterionTimeoutMs, satisficeScore: this.limits.satisficeScore }, claims, reason);
  }

  private failedToApply(record: IterationRecord): Step {
    this.patchFailures++;
    const step: Step = { record };
    if (this.patchFailures >= this.limits.maxPatchFailures) {
      step.stop = { reason: 'patch_failures', detail: `${this.patchFailures} iterations in a row produced no applicable change; last: ${record.detail ?? record.outcome}` };
    }
    return step;
  }

  private noProgressStep(record: IterationRecord): Step {
    this.noProgress++;
    const step: Step = { record };
    if (this.noProgress >= this.limits.noProgressIterations) {
      step.stop = { reason: 'no_progress', detail: `${this.noProgress} iterations in a row without a new change; last: ${record.detail ?? record.outcome}` };
    }
    return step;
  }

  private async rollback(change: AppliedChangeset): Promise<void> {
    const undo = await this.o.workspace.rollback(change);
    if (!undo.ok) {
      // The workspace no longer matches any evaluated state: stopping is the only honest option.
      throw new Error(`rolling back changeset ${change.id.slice(0, 12)} failed: ${'message' in undo ? undo.message : 'unknown'}`);
    }
  }

  /** Identifies the change as a whole (what differs from the base, and how), to notice a return to an earlier state. */
  private async stateFingerprint(): Promise<string> {
    const entries: [string, string | null][] = [];
    for (const c of await this.o.workspace.changes()) entries.push([c.path, c.status === 'deleted' ? null : ((await this.o.workspace.readFile(c.path))?.sha256 ?? 'unreadable')]);
    return sha256(canonicalJson(entries.sort((a, b) => (a[0] < b[0] ? -1 : 1))));
  }

  private checkBoundary(): void {
    this.checkAbort();
    if (this.o.shouldPause?.()) throw new Interrupted('paused');
  }

  private checkAbort(): void {
    throwIfCancelled(this.o.signal);
  }

  private proposeDeps(): ProposeDeps {
    return { ...this.o, maxInvalidRetries: this.limits.maxInvalidRetries };
  }

  private interruptDetail(e: unknown): string {
    return e instanceof Interrupted && e.why === 'paused' ? 'paused by the user' : 'cancelled by the user';
  }

  private async emit(event: NewEvent, key: string): Promise<void> {
    if (!this.o.emit) return;
    try {
      await this.o.emit(event, key);
    } catch (e) {
      this.o.logger.error({ taskId: this.o.taskId, key, err: e }, 'could not journal a loop event');
      throw e;
    }
  }

  private async emitEvaluated(record: IterationRecord, stop: { reason: StopReason; detail: string } | undefined): Promise<void> {
    await this.emit(evaluatedEvent(record, stop, this.current.gates), `iteration.${record.iteration}.evaluated`);
  }

  /** Stops outside an iteration (before the first, or at a boundary): one event carries the reason. */
  private async finish(iteration: number, reason: StopReason, detail: string, evaluation: Evaluation | null): Promise<LoopResult> {
    await this.emit(stopEvent(iteration, reason, detail, evaluation), `iteration.${iteration}.stop`);
    return this.result(iteration, reason, detail, evaluation);
  }

  private async result(iterations: number, stopReason: StopReason, detail: string, evaluation: Evaluation | null = this.current): Promise<LoopResult> {
    const changes = await this.o.workspace.changes();
    this.o.logger.info({ taskId: this.o.taskId, stopReason, iterations, score: evaluation?.score }, 'worker loop stopped');
    return { stopReason, detail, iterations, score: evaluation?.score ?? 0, evaluation, history: [...this.history], changes };
  }
}

function failureSummary(e: Evaluation): string {
  const gates = e.gates.filter((g) => g.status === 'fail').map((g) => g.gate);
  const criteria = e.criteria.filter((c) => !c.met).map((c) => c.id);
  const parts = [];
  if (gates.length) parts.push(`failing gates: ${gates.join(', ')}`);
  if (criteria.length) parts.push(`criteria not met: ${criteria.join(', ')}`);
  const refuted = (e.claims ?? []).filter((c) => c.status === 'refuted');
  if (refuted.length) parts.push(`claims in your reason that are false: ${refuted.map((c) => `"${c.text.slice(0, 120)}" (${c.evidence})`).join('; ')}`);
  return parts.length ? `Still to do — ${parts.join('; ')}.` : '';
}

/** Same tool, same arguments, same workspace: the same call. */
function toolCallKey(call: Pick<ToolCallAction, 'tool' | 'args'>, state: string): string {
  return sha256(canonicalJson([call.tool, call.args, state]));
}
