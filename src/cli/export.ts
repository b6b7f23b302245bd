import { resolve } from 'node:path';
import { TaskId } from '../shared/domain/task';
import { AppFailure } from '../shared/errors';
import { createCore } from '../main/core/composition/app-core';
import { createLogger } from '../main/core/observability/logger';
import { defaultDataDir } from '../main/core/paths';
import { EXIT, exitCodeFor } from './exit-codes';
import { processIo, type Io } from './io';

export type ExportOptions = { output: string; dataDir?: string; json?: boolean; includeTrace?: boolean };

/**
 * `agent-agency export <task> -o <file>`: writes the task's signed audit bundle. Runs the core in
 * this process on the data folder (SQLite lets it share the database with a running app).
 */
export async function exportCommand(task: string, options: ExportOptions, io: Io = processIo): Promise<number> {
  const id = TaskId.safeParse(task);
  if (!id.success) {
    io.err(`agent-agency: <task>: ${id.error.issues[0]?.message ?? 'not a task id'}\n`);
    return EXIT.usage;
  }
  const dataDir = resolve(options.dataDir ?? defaultDataDir());
  const file = resolve(options.output);
  const core = createCore({ dataDir, logger: createLogger({ level: 'warn' }), scheduler: { autoStart: false } });
  try {
    const exported = await core.provenance.exportToFile(id.data, { file, includeTrace: options.includeTrace === true });
    if (options.json) io.out(`${JSON.stringify(exported)}\n`);
    else io.out(`Wrote the audit bundle of ${id.data}${options.includeTrace ? ' with its trace' : ''} to ${exported.path}\n  ${exported.size} bytes, sha256 ${exported.sha256}\n`);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof AppFailure) {
      io.err(`agent-agency: ${e.message}\n`);
      return exitCodeFor(e.code);
    }
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR') {
      io.err(`agent-agency: cannot write ${file}: ${err.message}\n`);
      return EXIT.usage;
    }
    throw e;
  } finally {
    core.close();
  }
}
