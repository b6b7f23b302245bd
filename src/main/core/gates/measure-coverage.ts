import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Coverage } from './output-parsers';
import { runCommand, type RunCommandOptions } from './run-command';

/** Folder (inside the workspace, so the sandboxed test run can write it) for Node's raw V8 coverage. */
export const V8_COVERAGE_DIR = '.agent-agency-coverage';

const V8Range = z.object({ startOffset: z.number(), endOffset: z.number(), count: z.number() });
const V8Report = z.object({
  result: z.array(z.object({ url: z.string(), functions: z.array(z.object({ ranges: z.array(V8Range) })) })),
});
type V8Range = z.infer<typeof V8Range>;

const isProjectSource = (path: string, workspaceDir: string) =>
  path.startsWith(`${workspaceDir}/`) &&
  !path.includes('/node_modules/') &&
  !path.includes(`/${V8_COVERAGE_DIR}/`) &&
  !/(^|\/)(test|tests|__tests__)\/|\.(test|spec)\.[cm]?[jt]sx?$/.test(path.slice(workspaceDir.length));

/** Lines that carry code: not blank, not only a comment, not only closing brackets. */
const isCodeLine = (line: string) => {
  const t = line.trim();
  return t !== '' && !/^(\/\/|\/\*|\*|#!)/.test(t) && !/^[)\]}]+[;,)]*$/.test(t);
};

/**
 * Line coverage from the raw V8 coverage Node writes when NODE_V8_COVERAGE is set (what c8 reads):
 * a line counts as run when the innermost V8 range holding its first character ran at least once.
 * Only project files that were loaded count (like c8 without --all). Undefined when Node wrote
 * nothing about the project's own files.
 */
export function v8LineCoverage(coverageDir: string, workspaceDir: string): Coverage | undefined {
  if (!existsSync(coverageDir)) return undefined;
  const rangesByFile = new Map<string, V8Range[][]>();
  for (const name of readdirSync(coverageDir)) {
    if (!name.endsWith('.json')) continue;
    let report: z.infer<typeof V8Report>;
    try {
      report = V8Report.parse(JSON.parse(readFileSync(join(coverageDir, name), 'utf8')));
    } catch {
      continue;
    }
    for (const script of report.result) {
      if (!script.url.startsWith('file://')) continue;
      const path = fileURLToPath(script.url);
      if (!isProjectSource(path, workspaceDir)) continue;
      const all = script.functions.flatMap((f) => f.ranges);
      rangesByFile.set(path, [...(rangesByFile.get(path) ?? []), all]);
    }
  }
  let lines = 0;
  let covered = 0;
  for (const [path, processes] of rangesByFile) {
    let source: string;
    try {
      source = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    let offset = 0;
    for (const line of source.split('\n')) {
      if (isCodeLine(line)) {
        lines += 1;
        const at = offset + line.length - line.trimStart().length;
        if (processes.some((ranges) => countAt(ranges, at) > 0)) covered += 1;
      }
      offset += line.length + 1;
    }
  }
  if (lines === 0) return undefined;
  return { lines: covered / lines, source: `measured by the app (Node V8 coverage of ${rangesByFile.size} file${rangesByFile.size === 1 ? '' : 's'})` };
}

function countAt(ranges: readonly V8Range[], offset: number): number {
  let best: V8Range | undefined;
  for (const r of ranges) {
    if (r.startOffset <= offset && offset < r.endOffset && (!best || r.endOffset - r.startOffset <= best.endOffset - best.startOffset)) best = r;
  }
  return best?.count ?? 0;
}

export const isNodeProject = (dir: string) => existsSync(join(dir, 'package.json'));
export const isPythonProject = (dir: string) => ['pyproject.toml', 'setup.py', 'setup.cfg', 'pytest.ini', 'tox.ini'].some((f) => existsSync(join(dir, f)));

const PyCoverage = z.object({ totals: z.object({ percent_covered: z.number() }) });

/**
 * Python: when coverage.py is installed, runs the tests again under it (in the sandbox) and reads
 * its JSON total. Undefined when coverage.py is missing or produced nothing.
 */
export async function measurePythonCoverage(base: Omit<RunCommandOptions, 'command'>): Promise<Coverage | { unavailable: string }> {
  const dir = base.workspaceDir ?? base.cwd;
  const out = join(dir, V8_COVERAGE_DIR, 'coverage.json');
  const probe = await runCommand({ ...base, command: 'python3 -m coverage --version' });
  if (probe.exitCode !== 0) return { unavailable: 'coverage.py is not installed (pip install coverage)' };
  try {
    await runCommand({ ...base, command: `python3 -m coverage run --data-file=${V8_COVERAGE_DIR}/.coverage -m pytest -q; python3 -m coverage json --data-file=${V8_COVERAGE_DIR}/.coverage -o ${V8_COVERAGE_DIR}/coverage.json` });
    const parsed = PyCoverage.safeParse(JSON.parse(readFileSync(out, 'utf8')));
    if (!parsed.success) return { unavailable: 'coverage.py wrote no total' };
    return { lines: Math.min(1, Math.max(0, parsed.data.totals.percent_covered / 100)), source: 'measured by the app (coverage.py)' };
  } catch {
    return { unavailable: 'coverage.py produced no report' };
  } finally {
    rmSync(join(dir, V8_COVERAGE_DIR), { recursive: true, force: true });
  }
}
