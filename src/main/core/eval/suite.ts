import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { describeZodError } from '../../../shared/errors';

/**
 * The eval suite format (docs/eval.md): a folder with `suite.json` naming its tasks, and per task
 * `tasks/<id>/task.json`, the repository (`repo/` files, made a git repository at run time, or an
 * existing git repository at a commit), `hidden/` grading files the agent never sees, and
 * `solution/` files that make the reference solution.
 */
export const EVAL_TASK_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const EVAL_LANGUAGES = ['javascript', 'typescript', 'python', 'other'] as const;
export const EVAL_KINDS = ['bug-fix', 'feature', 'refactor', 'rename', 'new-test', 'other'] as const;

const RelPath = z
  .string()
  .min(1)
  .max(500)
  .refine((p) => !isAbsolute(p) && !p.split(/[\\/]/).includes('..'), 'must be a relative path inside the task, without ".."');

export const EvalTaskManifest = z
  .object({
    id: z.string().regex(EVAL_TASK_ID, 'lower-case letters, digits and dashes, at most 64'),
    title: z.string().trim().min(3).max(200),
    description: z.string().trim().min(10).max(4_000),
    language: z.enum(EVAL_LANGUAGES),
    kind: z.enum(EVAL_KINDS),
    /** The tests the agent may run, as a shell command in the repository (documented in the task). */
    visible_test: z.string().trim().min(1).max(1_000),
    /** The grading command, run after the task ends on the kept patch with `hidden/` copied in. */
    hidden_test: z.string().trim().min(1).max(1_000),
    timeout_seconds: z.number().int().min(1).max(3_600).default(120),
    /** Where the repository comes from: files under the task (default `repo/`) or a git repository at a commit. */
    repo: z
      .union([z.object({ dir: RelPath }).strict(), z.object({ git: z.string().min(1).max(1_000), commit: z.string().min(1).max(200).default('HEAD') }).strict()])
      .default({ dir: 'repo' }),
    /** Files the reference solution deletes (paths in the repository). */
    solution_deletes: z.array(RelPath).default([]),
  })
  .strict();
export type EvalTaskManifest = z.infer<typeof EvalTaskManifest>;

export const SuiteManifest = z
  .object({
    name: z.string().trim().min(1).max(100),
    version: z.literal(1),
    description: z.string().max(2_000).optional(),
    tasks: z.array(z.string().regex(EVAL_TASK_ID)).min(1).max(1_000),
  })
  .strict();

export type EvalTask = EvalTaskManifest & {
  dir: string;
  /** Files of the repository when it comes from the task folder (relative path -> absolute file). */
  repoFiles: Map<string, string> | null;
  /** Absolute path of the git repository when it comes from one. */
  repoGit: string | null;
  hiddenFiles: Map<string, string>;
  solutionFiles: Map<string, string>;
};

export type Suite = { name: string; dir: string; description: string | undefined; tasks: EvalTask[] };

/** A suite that cannot be used, with the task and field at fault. */
export class SuiteError extends Error {
  constructor(
    readonly problems: { task: string | null; field: string; message: string }[],
  ) {
    super(problems.map((p) => `${p.task ? `task ${p.task}: ` : 'suite: '}${p.field}: ${p.message}`).join('\n'));
    this.name = 'SuiteError';
  }
}

type Problem = SuiteError['problems'][number];

/** Reads and checks a suite; every problem found is reported at once, naming task and field. */
export function loadSuite(dirInput: string, only?: readonly string[]): Suite {
  const dir = resolve(dirInput);
  const problems: Problem[] = [];
  const manifestFile = join(dir, 'suite.json');
  if (!existsSync(manifestFile)) throw new SuiteError([{ task: null, field: 'suite.json', message: `missing in ${dir}` }]);
  const manifest = parseJson(manifestFile, SuiteManifest, null, problems);
  if (!manifest) throw new SuiteError(problems);
  const dup = manifest.tasks.find((t, i) => manifest.tasks.indexOf(t) !== i);
  if (dup) problems.push({ task: dup, field: 'suite.json tasks', message: 'listed twice' });
  const wanted = only && only.length > 0 ? only : manifest.tasks;
  for (const id of wanted) if (!manifest.tasks.includes(id)) problems.push({ task: id, field: '--tasks', message: `not in suite ${manifest.name}` });

  const tasks: EvalTask[] = [];
  for (const id of manifest.tasks.filter((t) => wanted.includes(t))) {
    const task = loadTask(dir, id, problems);
    if (task) tasks.push(task);
  }
  if (problems.length > 0) throw new SuiteError(problems);
  return { name: manifest.name, dir, description: manifest.description, tasks };
}

function loadTask(suiteDir: string, id: string, problems: Problem[]): EvalTask | undefined {
  const dir = join(suiteDir, 'tasks', id);
  const file = join(dir, 'task.json');
  if (!existsSync(file)) {
    problems.push({ task: id, field: 'task.json', message: `missing (expected ${file})` });
    return undefined;
  }
  const m = parseJson(file, EvalTaskManifest, id, problems);
  if (!m) return undefined;
  const before = problems.length;
  if (m.id !== id) problems.push({ task: id, field: 'id', message: `is ${m.id} but the folder is ${id}` });

  let repoFiles: Map<string, string> | null = null;
  let repoGit: string | null = null;
  if ('dir' in m.repo) {
    repoFiles = filesUnder(dir, m.repo.dir, id, 'repo.dir', problems);
    if (repoFiles?.has('.git') || [...(repoFiles?.keys() ?? [])].some((p) => p.startsWith('.git/'))) {
      problems.push({ task: id, field: 'repo.dir', message: 'holds a .git folder; the repository is created at run time from plain files' });
    }
  } else {
    const git = resolve(dir, m.repo.git);
    if (!existsSync(join(git, '.git')) && !existsSync(join(git, 'HEAD'))) problems.push({ task: id, field: 'repo.git', message: `${git} is not a git repository` });
    else repoGit = git;
  }
  const hiddenFiles = filesUnder(dir, 'hidden', id, 'hidden', problems);
  const solutionFiles = filesUnder(dir, 'solution', id, 'solution', problems);
  if (repoFiles) {
    for (const p of m.solution_deletes) if (!repoFiles.has(p)) problems.push({ task: id, field: 'solution_deletes', message: `${p} is not a file of the repository` });
  }
  if (problems.length > before || !hiddenFiles || !solutionFiles) return undefined;
  return { ...m, dir, repoFiles, repoGit, hiddenFiles, solutionFiles };
}

function parseJson<T extends z.ZodType>(file: string, schema: T, task: string | null, problems: Problem[]): z.output<T> | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    problems.push({ task, field: relative(dirnameOf(file), file), message: `not valid JSON (${e instanceof Error ? e.message : String(e)})` });
    return undefined;
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data as z.output<T>;
  for (const issue of describeZodError(parsed.error).issues) problems.push({ task, field: issue.path || 'task.json', message: issue.message });
  return undefined;
}

const dirnameOf = (file: string) => resolve(file, '..');

/** Regular files under `base/sub`, by path relative to it; symbolic links and missing folders are problems. */
function filesUnder(base: string, sub: string, task: string, field: string, problems: Problem[]): Map<string, string> | null {
  const root = join(base, sub);
  if (!existsSync(root) || !lstatSync(root).isDirectory()) {
    problems.push({ task, field, message: `folder ${sub}/ is missing` });
    return null;
  }
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const rel = relative(root, p).split(sep).join('/');
      if (e.isSymbolicLink()) problems.push({ task, field, message: `${sub}/${rel} is a symbolic link; suites hold plain files only` });
      else if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.set(rel, p);
    }
  };
  walk(root);
  if (out.size === 0) {
    problems.push({ task, field, message: `folder ${sub}/ holds no files` });
    return null;
  }
  return out;
}
