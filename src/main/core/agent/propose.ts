import { isBinary } from '../workspace/hash';
import type { ChatMessage } from '../models/types';
import { actionJsonSchema, parseAgentAction, type AgentAction } from './action';
import { parseTextAction } from './edits/format';
import { actionGrammar } from './edits/grammar';
import { resolveTextAction } from './edits/to-action';
import { throwIfCancelled, type LoopOptions } from './loop-types';
import { buildMessages, type PromptInput } from './prompt';

/** Asking the worker's model for its next action: a prompt that fits, a valid answer or a named failure. */

export type ProposeDeps = Pick<LoopOptions, 'model' | 'logger' | 'taskId' | 'signal' | 'generation' | 'promptBudgetTokens' | 'tools' | 'editFormat'> & {
  /** Read access to the workspace, for placing SEARCH/REPLACE blocks (text format). */
  workspace?: Pick<LoopOptions['workspace'], 'readFile'>;
  maxInvalidRetries: number;
};

export type Proposal = { ok: true; action: AgentAction } | { ok: false; outcome: 'invalid_output' | 'model_error'; message: string };

/** The least compacted prompt that fits the token budget (the most compacted one if none does). */
export async function fitPrompt(o: ProposeDeps, input: Omit<PromptInput, 'compaction'>): Promise<ChatMessage[]> {
  const budget = o.promptBudgetTokens;
  const format = o.editFormat ?? 'json';
  if (budget === undefined) return buildMessages({ ...input, format });
  let messages: ChatMessage[] = [];
  for (const compaction of [0, 1, 2, 3] as const) {
    messages = buildMessages({ ...input, compaction, format });
    const text = messages.map((m) => m.content).join('\n');
    // A tokenizer that fails must not stop the loop: fall back to a pessimistic estimate.
    const tokens = await o.model.countTokens(text).catch(() => Math.ceil(text.length / 2));
    if (tokens <= budget) return messages;
  }
  o.logger.warn({ taskId: o.taskId, budget }, 'the worker prompt does not fit the token budget even when compacted');
  return messages;
}

/** Asks the model for an action, retrying a bounded number of times when the answer is not valid. */
export async function proposeAction(o: ProposeDeps, messages: ChatMessage[], offerTools: boolean): Promise<Proposal> {
  if (o.editFormat === 'text') return proposeText(o, messages, offerTools);
  const schema = actionJsonSchema({ tools: offerTools });
  let conversation = messages;
  let lastProblem = '';
  let outcome: 'invalid_output' | 'model_error' = 'invalid_output';
  for (let attempt = 0; attempt <= o.maxInvalidRetries; attempt++) {
    throwIfCancelled(o.signal);
    let value: unknown;
    try {
      const answer = await o.model.generateJson(conversation, schema, {
        maxTokens: o.generation?.maxTokens ?? 4096,
        temperature: o.generation?.temperature ?? 0.2,
        taskId: o.taskId,
        ...(o.signal ? { signal: o.signal } : {}),
      });
      value = answer.value;
    } catch (e) {
      throwIfCancelled(o.signal);
      const message = e instanceof Error ? e.message : String(e);
      outcome = /json|parse|schema|grammar|unexpected/i.test(message) ? 'invalid_output' : 'model_error';
      lastProblem = `the model call failed: ${message}`;
      o.logger.warn({ taskId: o.taskId, attempt, err: message }, 'worker model call failed');
      continue;
    }
    const parsed = parseAgentAction(value, { tools: o.tools !== undefined });
    if (parsed.ok) return parsed;
    outcome = 'invalid_output';
    lastProblem = `the answer is not a valid action: ${parsed.message}`;
    conversation = [
      ...messages,
      { role: 'assistant', content: safeJson(value) },
      { role: 'user', content: `That answer is not valid: ${parsed.message}. Answer again with one JSON action that follows the rules.` },
    ];
  }
  return { ok: false, outcome, message: `${lastProblem} (after ${o.maxInvalidRetries + 1} attempts)` };
}

/**
 * The text format: a chat answer under the action grammar (embedded models; other providers answer
 * unconstrained and are parsed tolerantly), parsed, and its SEARCH/REPLACE blocks placed in the
 * workspace's files. An answer that does not parse or whose blocks cannot be placed changes nothing;
 * the model is told exactly why and asked again.
 */
async function proposeText(o: ProposeDeps, messages: ChatMessage[], offerTools: boolean): Promise<Proposal> {
  const grammar = actionGrammar({ tools: offerTools }).gbnf;
  const tools = o.tools !== undefined;
  let conversation = messages;
  let lastProblem = '';
  let outcome: 'invalid_output' | 'model_error' = 'invalid_output';
  for (let attempt = 0; attempt <= o.maxInvalidRetries; attempt++) {
    throwIfCancelled(o.signal);
    let text: string;
    try {
      const answer = await o.model.chat(conversation, {
        grammar,
        maxTokens: o.generation?.maxTokens ?? 4096,
        temperature: o.generation?.temperature ?? 0.2,
        taskId: o.taskId,
        ...(o.signal ? { signal: o.signal } : {}),
      });
      text = answer.text;
    } catch (e) {
      throwIfCancelled(o.signal);
      const message = e instanceof Error ? e.message : String(e);
      outcome = /grammar/i.test(message) ? 'invalid_output' : 'model_error';
      lastProblem = `the model call failed: ${message}`;
      o.logger.warn({ taskId: o.taskId, attempt, err: message }, 'worker model call failed');
      continue;
    }
    const parsed = parseTextAction(text, { tools });
    let problem: string;
    if (!parsed.ok) problem = `the answer is not a valid action: ${parsed.message}`;
    else if (parsed.action.action === 'tool_call') return { ok: true, action: parsed.action };
    else {
      const workspace = o.workspace;
      const resolved = await resolveTextAction(parsed.action, async (path) => {
        const file = workspace ? await workspace.readFile(path) : null;
        if (!file) return null;
        return isBinary(file.data) ? 'binary' : { text: file.data.toString('utf8'), sha256: file.sha256 };
      });
      if (resolved.ok) return { ok: true, action: resolved.action };
      problem = `the edit could not be placed: ${resolved.message}`;
    }
    outcome = 'invalid_output';
    lastProblem = problem;
    conversation = [
      ...messages,
      { role: 'assistant', content: clipText(text, 4000) },
      { role: 'user', content: `That answer was not applied; ${problem}\nAnswer again with one action in the text format.` },
    ];
  }
  return { ok: false, outcome, message: `${lastProblem} (after ${o.maxInvalidRetries + 1} attempts)` };
}

function safeJson(value: unknown): string {
  try {
    return clipText(JSON.stringify(value) ?? 'null', 4000);
  } catch {
    return '(unserializable)';
  }
}

export function clipText(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
