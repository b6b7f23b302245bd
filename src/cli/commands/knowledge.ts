import { resolve } from 'node:path';
import { Command } from 'commander';
import type { KnowledgeAddResult, KnowledgeEntry, KnowledgeHit } from '../../shared/domain/knowledge';
import { action, numberOr, parseInput, withClient, withCommonOptions, type CommandContext } from '../context';
import { EXIT, type ExitCode } from '../exit-codes';
import { processIo, type Io } from '../io';

/**
 * `agent-agency knowledge add|search|list|remove`: the knowledge base, through a running instance
 * (over its REST API, `--remote`) or the core opened in this process — the same channels either way.
 * Paths are sent absolute: the app reads the files on its own machine.
 */
export function knowledgeCommand(io: Io = processIo): Command {
  const add = new Command('add').description('add documents, Markdown, PDFs and images (OCR) to the knowledge base').argument('<files...>', 'files to add');
  withCommonOptions(add).action(action(addFiles, io));
  const search = new Command('search')
    .description('ranked chunks for a query: source, location, score and text')
    .argument('<query>', 'what to look for')
    .option('-n, --limit <n>', 'how many chunks (1-50)', '5')
    .option('--task <id>', "also search this task's attachments")
    .option('--repo <dir>', "also search this repository's docs and specs (indexed when a task on it is planned)");
  withCommonOptions(search).action(action(searchChunks, io));
  const list = new Command('list').description('entries of the knowledge base').option('--attachments', "include tasks' attachments");
  withCommonOptions(list).action(action(listEntries, io));
  const remove = new Command('remove').description('remove an entry (its chunks leave the index)').argument('<id>', 'entry id (kno_…)');
  withCommonOptions(remove).action(action(removeEntry, io));
  return new Command('knowledge').description('the knowledge base the planner and the claim verifier read').addCommand(add).addCommand(search).addCommand(list).addCommand(remove);
}

async function addFiles(ctx: CommandContext, files: string[]): Promise<ExitCode> {
  const input = parseInput('addKnowledge', { paths: files.map((f) => resolve(f)) });
  if (!input.ok) return ctx.fail(input.error, { paths: '<files>' });
  return withClient(ctx, async (client) => {
    const r = await client.call('addKnowledge', input.value);
    if (!r.ok) return ctx.fail(r.error, { paths: '<files>' });
    const results: KnowledgeAddResult[] = r.value;
    ctx.print(results, () =>
      results.map((x) => (x.status === 'refused' ? `refused  ${x.file}: ${x.reason}` : `${x.status.padEnd(8)} ${x.file} (${x.extraction}, ${x.chunks} chunks) ${x.entityId}`)).join('\n'),
    );
    return results.some((x) => x.status === 'refused') ? EXIT.failure : EXIT.ok;
  });
}

async function searchChunks(ctx: CommandContext, query: string): Promise<ExitCode> {
  const opts = ctx.options as { limit?: string; task?: string; repo?: string };
  const input = parseInput('searchKnowledge', {
    query,
    limit: numberOr(opts.limit ?? '5'),
    ...(opts.task ? { taskId: opts.task } : {}),
    ...(opts.repo !== undefined ? { repo: resolve(opts.repo) } : {}),
  });
  if (!input.ok) return ctx.fail(input.error, { limit: '--limit', taskId: '--task', query: '<query>', repo: '--repo' });
  return withClient(ctx, async (client) => {
    const r = await client.call('searchKnowledge', input.value);
    if (!r.ok) return ctx.fail(r.error, { limit: '--limit', taskId: '--task', query: '<query>', repo: '--repo' });
    const hits: KnowledgeHit[] = r.value;
    ctx.print(hits, () =>
      hits.length === 0
        ? 'No chunk matches.'
        : hits.map((h, i) => `${i + 1}. ${h.source} — ${h.location}${h.extraction === 'ocr' ? ' (OCR)' : ''}  score ${h.score}\n   ${h.text.replace(/\s+/g, ' ').slice(0, 200)}`).join('\n'),
    );
    return EXIT.ok;
  });
}

async function listEntries(ctx: CommandContext): Promise<ExitCode> {
  const opts = ctx.options as { attachments?: boolean };
  return withClient(ctx, async (client) => {
    const r = await client.call('listKnowledge', opts.attachments ? { includeAttachments: true } : {});
    if (!r.ok) return ctx.fail(r.error);
    const entries: KnowledgeEntry[] = r.value;
    ctx.print(entries, () =>
      entries.length === 0
        ? 'The knowledge base is empty. Add files with: agent-agency knowledge add FILE...'
        : entries.map((e) => `${e.id}  ${e.title}  (${e.extraction}, ${e.chunks} chunks${e.taskId ? `, attachment of ${e.taskId}` : ''})  ${e.source}`).join('\n'),
    );
    return EXIT.ok;
  });
}

async function removeEntry(ctx: CommandContext, id: string): Promise<ExitCode> {
  const input = parseInput('removeKnowledge', { id });
  if (!input.ok) return ctx.fail(input.error, { id: '<id>' });
  return withClient(ctx, async (client) => {
    const r = await client.call('removeKnowledge', input.value);
    if (!r.ok) return ctx.fail(r.error, { id: '<id>' });
    ctx.print(r.value, () => `removed ${id}`);
    return EXIT.ok;
  });
}
