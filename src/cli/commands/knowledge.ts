import { Command } from 'commander';
import { KnowledgeService } from '../../main/core/knowledge/knowledge-service';
import { openDatabase } from '../../main/core/db/open';
import { silentLogger } from '../../main/core/observability/logger';
import { dataFiles } from '../../main/core/paths';
import { action, withCommonOptions, type CommandContext } from '../context';
import { EXIT, type ExitCode } from '../exit-codes';
import { processIo, type Io } from '../io';

/**
 * `agent-agency knowledge add FILE...` and `knowledge search "<query>"`: the knowledge base of the
 * data folder, in process (the database is opened directly; SQLite's WAL lets a running app go on).
 */
export function knowledgeCommand(io: Io = processIo): Command {
  const add = new Command('add').description('add documents, Markdown, PDFs and images (OCR) to the knowledge base').argument('<files...>', 'files to add');
  withCommonOptions(add, { target: false }).action(action(addFiles, io));
  const search = new Command('search')
    .description('ranked chunks for a query: source, location, score and text')
    .argument('<query>', 'what to look for')
    .option('-n, --limit <n>', 'how many chunks (1-100)', '5');
  withCommonOptions(search, { target: false }).action(action(searchChunks, io));
  return new Command('knowledge').description('the knowledge base the planner and the claim verifier read').addCommand(add).addCommand(search);
}

function withService<T>(ctx: CommandContext, body: (kb: KnowledgeService) => Promise<T>): Promise<T> {
  const db = openDatabase({ file: dataFiles(ctx.dataDir).database, logger: silentLogger() });
  const kb = new KnowledgeService({ db, logger: silentLogger(), clock: { now: () => Date.now() } });
  return body(kb).finally(() => db.close());
}

async function addFiles(ctx: CommandContext, files: string[]): Promise<ExitCode> {
  return withService(ctx, async (kb) => {
    const results = await kb.add(files);
    ctx.print(results, () =>
      results.map((r) => (r.status === 'refused' ? `refused  ${r.file}: ${r.reason}` : `${r.status.padEnd(8)} ${r.file} (${r.extraction}, ${r.chunks} chunks)`)).join('\n'),
    );
    return results.some((r) => r.status === 'refused') ? EXIT.failure : EXIT.ok;
  });
}

async function searchChunks(ctx: CommandContext, query: string): Promise<ExitCode> {
  const raw = (ctx.options as { limit?: string }).limit ?? '5';
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) return ctx.fail({ code: 'invalid_input', message: `--limit: must be a whole number from 1 to 100 (got "${raw}")` });
  if (!query.trim()) return ctx.fail({ code: 'invalid_input', message: 'query: must not be empty' });
  return withService(ctx, async (kb) => {
    const hits = kb.search(query, limit);
    ctx.print(hits, () =>
      hits.length === 0 ? 'No chunk matches.' : hits.map((h, i) => `${i + 1}. ${h.source} — ${h.location}${h.extraction === 'ocr' ? ' (OCR)' : ''}  score ${h.score}\n   ${h.text.replace(/\s+/g, ' ').slice(0, 200)}`).join('\n'),
    );
    return EXIT.ok;
  });
}
