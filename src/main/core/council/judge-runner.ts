import { z } from 'zod';
import { GATE_NAMES, type GateName, type JudgeVerdict, type RuleViolation } from '../../../shared/domain/governance';
import { judgeScore } from './aggregate';
import { modelJsonSchema } from '../caws/model-schema';
import type { ChatMessage, ModelClient } from '../models/types';
import type { Finding, JudgeDefinition, ReviewSubject } from './types';

/** Confidence as a fixed scale, so the grammar itself keeps it in 0..1. */
const CONFIDENCE_STEPS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1] as const;

/** What the judge's model writes; judge id and version are ours to fill in, not the model's. */
export const ModelReview = z.object({
  verdict: z.enum(['pass', 'fail', 'uncertain', 'needs-info', 'conditional']),
  confidence: z.literal(CONFIDENCE_STEPS),
  // Bounded so a whole answer fits a small model's context: at most ~1000 characters of JSON.
  reasons: z.array(z.string().max(140)).min(1).max(3),
  evidence: z.array(z.object({ type: z.enum(['research', 'static_check', 'test']), ref: z.string().max(60), summary: z.string().max(120) })).max(2),
  /** For conditional: what must hold for the judge to pass it. */
  conditions: z.array(z.string().max(140)).max(3).optional(),
  /** For needs-info: what the judge needs answered. */
  questions: z.array(z.string().max(140)).max(3).optional(),
});
export type ModelReview = z.infer<typeof ModelReview>;

export const MODEL_REVIEW_SCHEMA = modelJsonSchema(ModelReview);

export type PeerView = { judge_id: string; verdict: string; reasons: readonly string[] };

export type RunJudgeOptions = {
  client: ModelClient;
  round: number;
  timeoutMs: number;
  /** Other judges' previous-round verdicts, shown during a debate. */
  peers?: readonly PeerView[];
  signal?: AbortSignal;
  maxTokens?: number;
};

/**
 * One judge's verdict: its deterministic checks, then its model's review constrained to
 * `ModelReview`. A blocker from the checks fails the judge whatever the model says; a model that
 * errors, times out or answers out of schema makes the verdict a `fail` with confidence 0 — never a
 * pass. Only an abort of the whole review propagates, since then there is no verdict to record.
 */
export async function runJudge(judge: JudgeDefinition, subject: ReviewSubject, options: RunJudgeOptions): Promise<JudgeVerdict> {
  const started = performance.now();
  let findings: Finding[];
  try {
    findings = judge.check(subject);
  } catch (e) {
    return failed(judge, options.round, `deterministic checks crashed: ${message(e)}`, started);
  }
  const blockers = findings.filter((f) => f.severity === 'blocker');
  const concerns = findings.filter((f) => f.severity === 'concern');
  const checkEvidence = findings
    .filter((f) => f.severity !== 'info' || f.ref.startsWith('gate:') || (f.ref.startsWith('CAWS-') && f.ref !== 'CAWS-SUGGESTION'))
    .slice(0, 10)
    .map((f) => ({ type: f.evidenceType, ref: f.ref, summary: f.summary.slice(0, 300) }));

  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new DOMException('judge timed out', 'TimeoutError')), options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
  let review: ModelReview;
  let model: string;
  try {
    const answer = await options.client.generateJson(judgeMessages(judge, subject, findings, options.peers ?? []), MODEL_REVIEW_SCHEMA, {
      signal,
      maxTokens: options.maxTokens ?? 600,
      temperature: 0.1,
      taskId: subject.taskId,
    });
    model = answer.generation.model;
    const parsed = ModelReview.safeParse(answer.value);
    if (!parsed.success) return failed(judge, options.round, `the model's review did not match the verdict schema: ${parsed.error.issues[0]?.message ?? 'invalid'}`, started, model, blockers);
    review = parsed.data;
  } catch (e) {
    if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : e;
    const why = timeout.signal.aborted ? `timed out after ${options.timeoutMs} ms` : `model review failed: ${message(e)}`;
    return failed(judge, options.round, why, started, undefined, blockers);
  } finally {
    clearTimeout(timer);
  }

  const reasons = [...blockers.map((b) => `${b.ref}: ${b.summary}`), ...review.reasons.map((r) => r.trim()).filter(Boolean), ...concerns.map((c) => `${c.ref}: ${c.summary}`)];
  let verdict: JudgeVerdict['verdict'] = review.verdict;
  let confidence: number = review.confidence;
  const conditions = (review.conditions ?? []).map((c) => c.trim()).filter(Boolean);
  const questions = (review.questions ?? []).map((q) => q.trim()).filter(Boolean);
  // A condition or a question the judge did not state cannot be met or answered: it counts as uncertainty.
  if ((verdict === 'conditional' && conditions.length === 0) || (verdict === 'needs-info' && questions.length === 0)) {
    reasons.push(`${verdict} without stating ${verdict === 'conditional' ? 'conditions' : 'questions'}; counted as uncertain`);
    verdict = 'uncertain';
  }
  if (blockers.length > 0) {
    // The checks are certain about what they found; the model cannot talk them out of it.
    verdict = 'fail';
    confidence = Math.max(confidence, 0.9);
  } else if (verdict === 'pass' && concerns.length > 0) {
    confidence = Math.max(0.1, Math.round((confidence - 0.1 * concerns.length) * 10) / 10);
  }
  return {
    judge_id: judge.id,
    version: judge.version,
    verdict,
    confidence,
    score: judgeScore({ verdict, confidence }),
    reasons: reasons.length ? reasons.slice(0, 12) : [`${verdict} with no stated reason`],
    violations: violationsFrom(blockers),
    ...(verdict === 'conditional' ? { conditions } : {}),
    ...(verdict === 'needs-info' ? { questions } : {}),
    evidence: [...checkEvidence, ...review.evidence.filter((e) => e.ref.trim() || e.summary.trim())].slice(0, 12),
    model,
    round: options.round,
    durationMs: performance.now() - started,
  };
}

function failed(judge: JudgeDefinition, round: number, error: string, started: number, model?: string, blockers: Finding[] = []): JudgeVerdict {
  return {
    judge_id: judge.id,
    version: judge.version,
    verdict: 'fail',
    confidence: 0,
    score: 0,
    reasons: [`fail-closed: ${error}`, ...blockers.map((b) => `${b.ref}: ${b.summary}`)],
    violations: violationsFrom(blockers),
    evidence: blockers.map((b) => ({ type: b.evidenceType, ref: b.ref, summary: b.summary.slice(0, 300) })),
    error,
    ...(model ? { model } : {}),
    round,
    durationMs: performance.now() - started,
  };
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}\n… (${text.length - max} more characters)` : text);

/**
 * A judge's prompt, shared part first: the system message and the review material (task, spec,
 * change, gates, claims) are the same for every judge of a review, so the model service evaluates
 * them once and copies that state to the other judges' sequences; what differs (the judge's role,
 * its automatic checks, a debate's peers) comes last.
 */
export function judgeMessages(judge: JudgeDefinition, s: ReviewSubject, findings: readonly Finding[], peers: readonly PeerView[]): ChatMessage[] {
  return [
    { role: 'system', content: councilSystem(s) },
    { role: 'user', content: [...reviewMaterial(s), ...judgeTail(judge, s, findings, peers)].join('\n\n') },
  ];
}

function councilSystem(s: ReviewSubject): string {
  return [
    `You are one judge of a four-judge review council; your role is named at the end of the message.`,
    `You review a ${s.kind === 'plan' ? 'plan (a CAWS working spec) before any code is written' : 'code change against its CAWS working spec'}, at risk tier ${s.riskTier}.`,
    'Answer with one JSON object: verdict (pass, fail, uncertain, needs-info or conditional), confidence (0 to 1), reasons (short sentences), evidence (what you relied on), conditions, questions.',
    'Fail when something is wrong or missing; say uncertain when you cannot tell; needs-info with the questions you need answered; conditional with the conditions under which you would pass.',
  ].join('\n');
}

/** What every judge of the review reads, in the same words. */
function reviewMaterial(s: ReviewSubject): string[] {
  const parts = [`Task: ${s.description}`, `Working spec:\n${clip(s.specYaml, 6000)}`];
  if (s.change) {
    parts.push(`Changed files:\n${s.change.changedFiles.map((f) => `${f.path} (+${f.linesAdded} -${f.linesRemoved})`).join('\n') || '(none)'}`);
    if (s.change.diff) parts.push(`Diff:\n${clip(s.change.diff, 8000)}`);
  }
  if (s.gateResults?.length) parts.push(`Quality gates:\n${s.gateResults.map((g) => `${g.gate}: ${g.status} (${g.details.split('\n')[0]!.slice(0, 200)})`).join('\n')}`);
  if (s.claims) parts.push(claimTable(s.claims));
  return parts;
}

/** What only this judge reads: its role, its note on pending criteria, its checks, its peers. */
function judgeTail(judge: JudgeDefinition, s: ReviewSubject, findings: readonly Finding[], peers: readonly PeerView[]): string[] {
  const parts = [`Your role: you are the ${judge.id} judge. You judge ${judge.focus}`];
  const pending = s.claims?.criteria.filter((c) => c.status === 'pending').map((c) => c.criterionId) ?? [];
  if (judge.id === 'constitutional' && pending.length) {
    parts.push(
      `${pending.join(', ')} ha${pending.length === 1 ? 's' : 've'} no test of its own: a pass from you accepts ${pending.length === 1 ? 'it' : 'them'} as met, so pass only if the diff shows ${pending.length === 1 ? 'it holds' : 'they hold'}.`,
    );
  }
  const notable = findings.filter((f) => f.severity !== 'info');
  parts.push(notable.length ? `Automatic checks found:\n${notable.map((f) => `- [${f.severity}] ${f.ref}: ${f.summary}`).join('\n')}` : 'Automatic checks found no problems.');
  if (peers.length) {
    parts.push(
      `Debate: the other judges voted as follows last round. Reconsider your verdict in their light; keep it if you still hold it.\n${peers
        .map((p) => `- ${p.judge_id}: ${p.verdict} — ${p.reasons.slice(0, 4).join(' | ')}`)
        .join('\n')}`,
    );
  }
  return parts;
}

/** The claim table as every judge reads it. Criteria are met only by a verified claim. */
function claimTable(claims: NonNullable<ReviewSubject['claims']>): string {
  const lines = ['Claims the app checked (the worker\'s account of its change, against the diff, workspace, gates and tests):'];
  if (claims.worker.length === 0) lines.push('- (the worker made no checkable claim)');
  for (const c of claims.worker.slice(0, 20)) lines.push(`- [${c.status}] ${c.kind}${c.subject ? ` ${c.subject}` : ''}: "${c.text.slice(0, 140)}" — ${c.evidence.slice(0, 160)}`);
  lines.push('Acceptance criteria (met only by a verified claim):');
  for (const c of claims.criteria) lines.push(`- ${c.criterionId}: ${c.status} — ${c.evidence.slice(0, 200)}`);
  lines.push('Claims you make in your reasons are checked the same way; a pass resting on a refuted claim counts as uncertain.');
  return lines.join('\n');
}

/** Gate-backed rules a waiver may cover; every other rule (spec validity, protected paths, secrets…) it may not. */
const WAIVABLE_RULES: Readonly<Record<string, GateName>> = { 'CAWS-SCOPE-BOUNDARY': 'scope', 'CAWS-BUDGET': 'budget' };

export function violationsFrom(findings: readonly Finding[]): RuleViolation[] {
  return findings.map((f) => {
    const gateRef = f.ref.startsWith('gate:') ? f.ref.slice('gate:'.length) : undefined;
    const gate = WAIVABLE_RULES[f.ref] ?? (gateRef && (GATE_NAMES as readonly string[]).includes(gateRef) ? (gateRef as GateName) : undefined);
    return { rule: f.ref, message: f.summary.slice(0, 1000), waivable: gate !== undefined, ...(gate ? { gate } : {}) };
  });
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
