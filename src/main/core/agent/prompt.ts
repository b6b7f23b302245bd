import type { GateResult } from '../gates/types';
import type { ChatMessage } from '../models/types';
import type { ScopeSpec } from '../workspace/policy';
import type { WorkContext } from './context';
import { TEXT_SYSTEM, TEXT_SYSTEM_SHORT, TEXT_TOOLS, TEXT_TOOLS_SHORT } from './edits/instructions';
import type { Criterion, CriterionResult } from './scoring';

export type IterationNote = { iteration: number; outcome: string; score: number | null; reason?: string | undefined; detail?: string | undefined };

/** A tool call made in an earlier iteration (0: approved by a human and made before this run) and what came of it. */
export type ToolResultNote = { iteration: number; tool: string; result: string };

export type PromptInput = {
  description: string;
  spec: { id: string; title: string; scope: ScopeSpec; acceptance: readonly Criterion[] };
  context: WorkContext;
  gates: readonly GateResult[];
  criteria: readonly CriterionResult[];
  score: number;
  history: readonly IterationNote[];
  /** What went wrong with the last proposal, in words, if anything. */
  feedback: string | null;
  guidance: readonly string[];
  iteration: number;
  maxIterations: number;
  /** The tools the model may call (describeToolsForPrompt), or empty when it has none. */
  tools?: string;
  /** Results of earlier tool calls, oldest first; the latest are shown. */
  toolResults?: readonly ToolResultNote[];
  /**
   * 0 shows everything; each level drops more to fit a small context window: 1 keeps one file's
   * content, 2 keeps no file content and shorter gate output, 3 also uses the short instructions and
   * drops the file list and history.
   */
  compaction?: 0 | 1 | 2 | 3;
  /** The answer format the model is told about: the JSON action (default) or the text action. */
  format?: 'json' | 'text';
};

const SYSTEM = `You are a careful software engineer working in an isolated copy of a repository.
Each turn you propose ONE structured action as JSON with these fields:
- "action": "patch" (edit parts of files with hunks), "write" (replace or create whole files) or "no-op" (nothing left to do).
- "reason": one or two sentences on what the change does and why.
- "confidence": a number from 0 to 1.
- "criteria_met": ids of acceptance criteria (like "A1") that the repository satisfies once your change is applied.
- "edits": a list; each edit has "op" ("write", "patch", "delete" or "rename"), "path" (relative to the repository root), "content" (the whole new file for "write", else ""), "to" (the new path for "rename", else "") and "hunks" (for "patch", else []).
A hunk is {"old_start": <1-based line number where the old lines begin>, "lines": [...]} where each line starts with " " (unchanged context), "-" (removed) or "+" (added), exactly as in a unified diff, without the trailing newline.
Rules: only touch files inside the scope; never touch .git; keep changes small and focused; copy context lines exactly from the file shown; use "write" with the complete content for new files or when a patch would be long.`;

const SYSTEM_SHORT = `Propose one JSON action: {"action":"patch"|"write"|"no-op","reason":string,"confidence":0..1,"criteria_met":[ids],"edits":[{"op":"write"|"patch"|"delete"|"rename","path":string,"content":string,"to":string,"hunks":[{"old_start":int,"lines":[" ctx","-old","+new"]}]}]}. Stay in scope; never touch .git.`;

const SYSTEM_TOOLS = `Instead of a change you may call ONE tool: {"action": "tool_call", "reason": why, "tool": the tool's name, "arguments_json": its arguments as a JSON object in a string}. Its result is shown to you next turn; a tool call changes nothing by itself unless the tool writes. Do not repeat a call whose result you already have.`;

const SYSTEM_TOOLS_SHORT = `Or call a tool: {"action":"tool_call","reason":string,"tool":name,"arguments_json":"{…}"}.`;

/** How much of the tool results each compaction level shows: results, and characters of each. */
const TOOL_RESULTS_SHOWN = [
  { count: 3, chars: 4_000 },
  { count: 2, chars: 2_000 },
  { count: 1, chars: 1_000 },
  { count: 1, chars: 400 },
] as const;

export function buildMessages(input: PromptInput): ChatMessage[] {
  const { spec, context } = input;
  const level = input.compaction ?? 0;
  const detailChars = level >= 2 ? 300 : 1500;
  const parts: string[] = [];
  parts.push(`# Task\n${input.description.trim()}`);
  parts.push(`# Working spec ${spec.id}: ${spec.title}`);
  parts.push(
    `## Scope\nMay change: ${[...spec.scope.in, ...(spec.scope.support ?? [])].join(', ')}${spec.scope.out?.length ? `\nMust not change: ${spec.scope.out.join(', ')}` : ''}`,
  );
  parts.push(
    `## Acceptance criteria\n${spec.acceptance
      .map((c) => {
        const r = input.criteria.find((x) => x.id === c.id);
        const state = r ? (r.met ? 'MET' : 'NOT MET') : 'unknown';
        return `- ${c.id} [${state}]: given ${c.given}; when ${c.when}; then ${c.then}${c.test ? ` (checked by: ${c.test})` : ''}`;
      })
      .join('\n')}`,
  );
  parts.push(`## Current score\n${input.score.toFixed(2)} of 1.00 (iteration ${input.iteration} of ${input.maxIterations})`);
  const gateLines = input.gates.filter((g) => g.status !== 'skip').map((g) => `- ${g.gate}: ${g.status}${g.status === 'fail' || g.status === 'warn' ? `\n${indent(tail(g.details, detailChars))}` : ''}`);
  if (gateLines.length > 0) parts.push(`## Quality gates\n${gateLines.join('\n')}`);
  const failing = input.criteria.filter((c) => !c.met && c.evidence);
  if (failing.length > 0) parts.push(`## Failing criteria\n${failing.map((c) => `- ${c.id}:\n${indent(tail(c.evidence, detailChars))}`).join('\n')}`);
  if (input.history.length > 0 && level < 3) {
    parts.push(
      `## Earlier iterations\n${input.history
        .slice(-6)
        .map((h) => `- ${h.iteration}: ${h.outcome}${h.score !== null ? `, score ${h.score.toFixed(2)}` : ''}${h.reason ? ` — ${clip(h.reason, 200)}` : ''}${h.detail ? ` (${clip(h.detail, 300)})` : ''}`)
        .join('\n')}`,
    );
  }
  const toolResults = input.toolResults ?? [];
  if (toolResults.length > 0) {
    const shown = TOOL_RESULTS_SHOWN[level];
    parts.push(
      `## Tool results (latest last)\n${toolResults
        .slice(-shown.count)
        .map((r) => `### ${r.iteration > 0 ? `Iteration ${r.iteration}` : 'Approved call'}: ${r.tool}\n${clip(r.result, shown.chars)}`)
        .join('\n\n')}`,
    );
  }
  if (input.feedback) parts.push(`## Problem with your last proposal\n${input.feedback}`);
  if (input.guidance.length > 0) parts.push(`## Guidance from the user (follow it)\n${input.guidance.map((g) => `- ${g}`).join('\n')}`);
  if (level < 3) {
    const listed = level >= 2 ? context.listed.slice(0, 50) : context.listed;
    parts.push(`## Files (${context.totalFiles} in the repository${listed.length < context.totalFiles ? `, first ${listed.length} listed` : ''})\n${listed.join('\n')}`);
  }
  const shown = level === 0 ? context.files : level === 1 ? context.files.slice(0, 1) : [];
  for (const f of shown) {
    parts.push(`## ${f.path} (${f.lines} lines${f.truncated ? ', shown in part: do not rewrite it whole' : ''})\n\`\`\`\n${f.content}${f.content.endsWith('\n') ? '' : '\n'}\`\`\``);
  }
  const tools = input.tools?.trim() ?? '';
  if (tools) parts.push(`## Tools\n${level >= 2 ? clip(tools, level >= 3 ? 600 : 2_000) : tools}`);
  const text = input.format === 'text';
  parts.push(text ? 'Answer with the action in the text format only.' : 'Answer with the JSON action only.');
  const system = text ? (level >= 3 ? TEXT_SYSTEM_SHORT : TEXT_SYSTEM) : level >= 3 ? SYSTEM_SHORT : SYSTEM;
  const toolRules = text ? (level >= 3 ? TEXT_TOOLS_SHORT : TEXT_TOOLS) : level >= 3 ? SYSTEM_TOOLS_SHORT : SYSTEM_TOOLS;
  return [
    { role: 'system', content: tools ? `${system}\n${toolRules}` : system },
    { role: 'user', content: parts.join('\n\n') },
  ];
}

function tail(s: string, n: number): string {
  return s.length > n ? `…${s.slice(-n)}` : s;
}
function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
