import { z } from 'zod';
import type { NewEvent } from '../../../shared/domain/events';
import type { GateResult, GateRunner } from '../gates/types';
import type { Clock } from '../journal/journal';
import type { ChatMessage, ModelClient } from '../models/types';
import type { Logger } from '../observability/logger';
import { ToolApprovalPending } from '../tools/engine-approval';
import type { ToolsService } from '../tools/service';
import { describeToolsForPrompt, runToolAction, type ToolActionResult, type ToolCallAction } from '../tools/worker-tools';
import type { AppliedChangeset } from '../workspace/applier';
import { canonicalJson } from '../workspace/canonical-json';
import { sha256 } from '../workspace/hash';
import type { ScopeSpec } from '../workspace/policy';
import type { ApplySettings, ChangedFile, Workspace } from '../workspace/workspace';
import { actionJsonSchema, isToolCall, parseAgentAction, toChangeset, type AgentAction, type ToolCallProposal } from './action';
import { gatherContext, type ContextLimits } from './context';
import { shellCriterionRunner, type CriterionRunner } from './criterion-runner';
import { buildMessages, type IterationNote, type PromptInput, type ToolResultNote } from './prompt';
import { evaluate, type Criterion, type CriterionResult, type Evaluation } from './scoring';

export const STOP_REASONS = [
  'satisficed',
  'quality_ceiling',
  'max_iterations',
  'no_progress',
  'patch_failures',
  'mandatory_gate_failed',
  'intervention',
] as const;
export type StopReason = (typeof STOP_REASONS)[number];

/** What became of one iteration's proposal. */
export type IterationOutcome =
  | 'improved'
  | 'kept'
  | 'rolled_back'
  | 'no_op'
  | 'repeated'
  | 'tiny'
  | 'blocked'
  | 'conflict'
  | 'patch_failed'
  | 'io_error'
  | 'invalid_output'
  | 'model_error'
  | 'mandatory_gate_failed'
  | 'interrupted'
  | 'tool_called'
  | 'tool_failed'
  | 'tool_refused'
  | 'awaiting_approval';

export type LoopLimits = {
  maxIterations: number;
  /** Score at which the result is good enough (with every criterion met and no blocking gate failed). */
  satisficeScore: number;
  /** Improvement smaller than this counts towards the quality ceiling. */
  minImprovement: number;
  /** Iterations in a row without real improvement before stopping at the quality ceiling. */
  plateauIterations: number;
  /** Extra attempts when the model's answer is not a valid action. */
  maxInvalidRetries: number;
  /** Iterations in a row whose change could not be applied (or whose answer stayed invalid). */
  maxPatchFailures: number;
  /** Iterations in a row with no change, a repeated change or a tiny one. */
  noProgressIterations: number;
  /** A change of fewer lines than this is tiny. */
  minChangedLines: number;
  /** A score drop larger than this rolls the change back. */
  regressionTolerance: number;
  /** Time limit of one acceptance criterion's test command. */
  criterionTimeoutMs: number;
};

export const DEFAULT_LIMITS: LoopLimits = {
  maxIterations: 5,
  satisficeScore: 0.9,
  minImprovement: 0.02,
  plateauIterations: 3,
  maxInvalidRetries: 2,
  maxPatchFailures: 3,
  noProgressIterations: 2,
  minChangedLines: 1,
  regressionTolerance: 0.001,
  criterionTimeoutMs: 120_000,
};

/** Governance gates a refinement cannot fix: if one fails, the loop stops (names from the gate runner). */
export const DEFAULT_MANDATORY_GATES = ['spec_completeness', 'scope', 'budget'] as const;

export type LoopSpec = { id: string; title: string; scope: ScopeSpec; acceptance: readonly Criterion[] };

export type IterationRecord = {
  iteration: number;
  outcome: IterationOutcome;
  /** Score after the iteration (of the state kept), and before it. */
  score: number;
  scoreBefore: number;
  rolledBack: boolean;
  reason?: string;
  confidence?: number;
  changesetId?: string;
  stats?: { files: number; linesAdded: number; linesRemoved: number };
  detail?: string;
  /** Gates of the state this iteration evaluated (also when its change was rolled back). */
  gates?: { gate: string; status: GateResult['status'] }[];
};

export type LoopResult = {
  stopReason: StopReason;
  detail: string;
  iterations: number;
  score: number;
  evaluation: Evaluation | null;
  history: IterationRecord[];
  changes: ChangedFile[];
};

export type LoopOptions = {
  taskId: string;
  description: string;
  spec: LoopSpec;
  riskTier: 1 | 2 | 3;
  workspace: Workspace;
  model: ModelClient;
  gates: GateRunner;
  /** Policy, budget and waiver check for every changeset. */
  apply: Omit<ApplySettings, 'hooks'>;
  limits?: Partial<LoopLimits>;
  mandatoryGates?: readonly string[];
  runCriterion?: CriterionRunner;
  /** Journals an event; `key` is unique within the task's loop run (for idempotency keys). */
  emit?: (event: NewEvent, key: string) => void | Promise<void>;
  /** Guidance from the user received since the last call; read at each iteration boundary. */
  takeGuidance?: () => string[];
  /** Checked at each iteration boundary: true stops the loop (a pause; the workspace stays as it is). */
  shouldPause?: () => boolean;
  /** Aborting stops the loop promptly (cancel); an in-flight change is rolled back. */
  signal?: AbortSignal;
  logger: Logger;
  clock: Clock;
  generation?: { maxTokens?: number; temperature?: number };
  /**
   * Tokens the prompt may take (the model's context minus room for the answer). When set, the prompt
   * is compacted step by step until it fits: fewer files shown, shorter output, short instructions.
   */
  promptBudgetTokens?: number;
  context?: Partial<ContextLimits>;
  /** Iterations already done by an earlier run of this loop (a resumed task). */
  startIteration?: number;
  /** MCP tools the model may call; without them it can only edit. */
  tools?: LoopTools;
};

/**
 * The loop's tools. Every call goes through `runToolAction` (permissions, path allow-list, budgets,
 * scheduler slot, journal). A call the model proposes carries no approval: an `ask` tool without a
 * grant stops the loop with `ToolApprovalPending`, and the step that ran it returns `awaitApproval`.
 * Once approved, the step runs again and performs that call itself before the loop starts; such
 * calls arrive in `earlier`, so their results reach the model and repeating them counts as repeated.
 */
export type LoopTools = {
  service: ToolsService;
  earlier?: readonly { call: ToolCallAction; prompt: string }[];
};

class Interrupted extends Error {
  constructor(readonly why: 'cancelled' | 'paused') {
    super(why);
  }
}

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
        ...(this.o.context ? { limits: this.o.context } : {}),
      });
      const tools = await this.toolCatalogue();
      const messages = await this.fitPrompt({
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
      const proposal = await this.propose(messages, tools !== '');
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
      const record = { ...base, ...told, changesetId: change.id, stats };
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
        next = await this.evaluateNow(action.criteria_met);
      } catch (e) {
        await this.rollback(change);
        throw e;
      }
      const gates = next.gates.map((g) => ({ gate: g.gate, status: g.status }));
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

  /** The least compacted prompt that fits the token budget (the most compacted one if none does). */
  private async fitPrompt(input: Omit<PromptInput, 'compaction'>): Promise<ChatMessage[]> {
    const budget = this.o.promptBudgetTokens;
    if (budget === undefined) return buildMessages(input);
    let messages: ChatMessage[] = [];
    for (const compaction of [0, 1, 2, 3] as const) {
      messages = buildMessages({ ...input, compaction });
      const text = messages.map((m) => m.content).join('\n');
      // A tokenizer that fails must not stop the loop: fall back to a pessimistic estimate.
      const tokens = await this.o.model.countTokens(text).catch(() => Math.ceil(text.length / 2));
      if (tokens <= budget) return messages;
    }
    this.o.logger.warn({ taskId: this.o.taskId, budget }, 'the worker prompt does not fit the token budget even when compacted');
    return messages;
  }

  /** Asks the model for an action, retrying a bounded number of times when the answer is not valid. */
  private async propose(messages: ChatMessage[], offerTools: boolean): Promise<{ ok: true; action: AgentAction } | { ok: false; outcome: 'invalid_output' | 'model_error'; message: string }> {
    const schema = actionJsonSchema({ tools: offerTools });
    let conversation = messages;
    let lastProblem = '';
    let outcome: 'invalid_output' | 'model_error' = 'invalid_output';
    for (let attempt = 0; attempt <= this.limits.maxInvalidRetries; attempt++) {
      this.checkAbort();
      let value: unknown;
      try {
        const answer = await this.o.model.generateJson(conversation, schema, {
          maxTokens: this.o.generation?.maxTokens ?? 4096,
          temperature: this.o.generation?.temperature ?? 0.2,
          taskId: this.o.taskId,
          ...(this.o.signal ? { signal: this.o.signal } : {}),
        });
        value = answer.value;
      } catch (e) {
        this.checkAbort();
        const message = e instanceof Error ? e.message : String(e);
        outcome = /json|parse|schema|grammar|unexpected/i.test(message) ? 'invalid_output' : 'model_error';
        lastProblem = `the model call failed: ${message}`;
        this.o.logger.warn({ taskId: this.o.taskId, attempt, err: message }, 'worker model call failed');
        continue;
      }
      const parsed = parseAgentAction(value, { tools: this.o.tools !== undefined });
      if (parsed.ok) return parsed;
      outcome = 'invalid_output';
      lastProblem = `the answer is not a valid action: ${parsed.message}`;
      conversation = [
        ...messages,
        { role: 'assistant', content: safeJson(value) },
        { role: 'user', content: `That answer is not valid: ${parsed.message}. Answer again with one JSON action that follows the rules.` },
      ];
    }
    return { ok: false, outcome, message: `${lastProblem} (after ${this.limits.maxInvalidRetries + 1} attempts)` };
  }

  private async evaluateNow(claims: readonly string[] = this.claims): Promise<Evaluation> {
    this.checkAbort();
    const changes = await this.o.workspace.changes();
    let gates: GateResult[];
    try {
      gates = await this.o.gates.run({
        taskId: this.o.taskId,
        workspaceDir: this.o.workspace.dir,
        riskTier: this.o.riskTier,
        changedFiles: changes.map((c) => ({ path: c.path, linesAdded: c.linesAdded, linesRemoved: c.linesRemoved })),
        ...(this.o.signal ? { signal: this.o.signal } : {}),
      });
    } catch (e) {
      this.checkAbort();
      // A gate runner that fails counts as a failed blocking gate: never as a pass.
      gates = [{ gate: 'gate-runner', status: 'fail', mode: 'block', score: 0, details: `the gates could not run: ${e instanceof Error ? e.message : String(e)}`, durationMs: 0 }];
    }
    this.checkAbort();
    const blockingFailed = gates.some((g) => g.status === 'fail' && g.mode === 'block');
    const criteria: CriterionResult[] = [];
    for (const c of this.o.spec.acceptance) {
      this.checkAbort();
      if (c.test) {
        try {
          const run = await this.runCriterion(c.test, { cwd: this.o.workspace.dir, timeoutMs: this.limits.criterionTimeoutMs, ...(this.o.signal ? { signal: this.o.signal } : {}) });
          criteria.push({ id: c.id, met: run.passed, evidence: `${run.passed ? 'passed' : 'failed'}: ${c.test}\n${run.output}`.trim() });
        } catch (e) {
          this.checkAbort();
          criteria.push({ id: c.id, met: false, evidence: `could not run ${c.test}: ${e instanceof Error ? e.message : String(e)}` });
        }
      } else {
        // No command checks it: the worker's claim counts only for a real change that passes the gates.
        const claimed = claims.includes(c.id);
        const met = claimed && changes.length > 0 && !blockingFailed;
        const evidence = !claimed ? 'not yet claimed by the worker' : changes.length === 0 ? 'claimed, but nothing has changed' : blockingFailed ? 'claimed, but a blocking gate fails' : 'claimed by the worker; the gates pass';
        criteria.push({ id: c.id, met, evidence });
      }
    }
    return evaluate({ gates, criteria, mandatoryGates: this.mandatory, satisficeScore: this.limits.satisficeScore });
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
    if (this.o.signal?.aborted) throw new Interrupted('cancelled');
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
    const detail = stop ? (record.detail ? `${record.detail}; stopped: ${stop.detail}` : stop.detail) : record.detail;
    await this.emit(
      {
        type: 'iteration.evaluated',
        payload: {
          iteration: record.iteration,
          score: record.score,
          outcome: record.outcome,
          rolledBack: record.rolledBack,
          ...(stop ? { stopReason: stop.reason } : {}),
          ...(record.reason ? { summary: clipText(record.reason, 1000) } : {}),
          ...(record.confidence !== undefined ? { confidence: record.confidence } : {}),
          ...(detail ? { detail: clipText(detail, 2000) } : {}),
          ...(record.stats ? { files: record.stats.files, linesAdded: record.stats.linesAdded, linesRemoved: record.stats.linesRemoved } : {}),
          gates: record.gates ?? this.current.gates.map((g) => ({ gate: g.gate, status: g.status })),
        },
      },
      `iteration.${record.iteration}.evaluated`,
    );
  }

  /** Stops outside an iteration (before the first, or at a boundary): one event carries the reason. */
  private async finish(iteration: number, reason: StopReason, detail: string, evaluation: Evaluation | null): Promise<LoopResult> {
    await this.emit(
      {
        type: 'iteration.evaluated',
        payload: {
          iteration,
          score: evaluation?.score ?? 0,
          stopReason: reason,
          detail,
          ...(evaluation ? { gates: evaluation.gates.map((g) => ({ gate: g.gate, status: g.status })) } : {}),
        },
      },
      `iteration.${iteration}.stop`,
    );
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
  return parts.length ? `Still to do — ${parts.join('; ')}.` : '';
}

/** Same tool, same arguments, same workspace: the same call. */
function toolCallKey(call: Pick<ToolCallAction, 'tool' | 'args'>, state: string): string {
  return sha256(canonicalJson([call.tool, call.args, state]));
}

function safeJson(value: unknown): string {
  try {
    return clipText(JSON.stringify(value) ?? 'null', 4000);
  } catch {
    return '(unserializable)';
  }
}

function clipText(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Parses loop limits given as untrusted settings. */
export const LoopLimitsInput = z
  .object({
    maxIterations: z.number().int().min(1).max(50),
    satisficeScore: z.number().min(0).max(1),
    minImprovement: z.number().min(0).max(1),
    plateauIterations: z.number().int().min(1).max(50),
    maxInvalidRetries: z.number().int().min(0).max(10),
    maxPatchFailures: z.number().int().min(1).max(50),
    noProgressIterations: z.number().int().min(1).max(50),
    minChangedLines: z.number().int().min(0).max(1000),
    regressionTolerance: z.number().min(0).max(1),
    criterionTimeoutMs: z.number().int().min(1000).max(3_600_000),
  })
  .partial();
