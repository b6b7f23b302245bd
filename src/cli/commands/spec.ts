import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { Command } from 'commander';
import { SPEC_ID_PATTERN, SPEC_MODES } from '../../shared/domain/working-spec';
import { AppFailure } from '../../shared/errors';
import { listSpecFiles, SPECS_FOLDER, writeSpecFile } from '../../main/core/caws/spec-store';
import { validateSpec } from '../../main/core/caws/validate';
import { MAX_SPEC_BYTES, parseSpecYaml } from '../../main/core/caws/yaml';
import { action, numberOr, type CommandContext, type CommonOptions } from '../context';
import { EXIT, type ExitCode } from '../exit-codes';

type InitOptions = CommonOptions & { repo?: string; id?: string; title: string; mode: string; tier: string; force?: boolean };

/**
 * Working specs are files in the user's repository, so `spec` reads and writes them here with the
 * core's own parser and rules; no data folder or running instance is involved.
 */
export function specCommand(): Command {
  const spec = new Command('spec').description('validate and create CAWS working specs');
  spec
    .command('validate')
    .description('check a working spec (YAML); every problem is named by its field path. Exit 0 valid, 1 invalid, 3 no such file')
    .argument('<file>', 'the spec file (.caws/specs/FEAT-0001.yaml)')
    .option('--json', 'print JSON for scripts instead of text')
    .action(action(validate));
  spec
    .command('init')
    .description(`write a valid starting spec to ${SPECS_FOLDER}/<id>.yaml in the repository`)
    .option('-r, --repo <path>', 'the repository (default: the current folder)')
    .option('--id <id>', 'spec id like FEAT-0042 (default: the next free FEAT-nnnn)')
    .option('--title <title>', 'what the change is', 'Describe the change in one line')
    .option('-m, --mode <mode>', SPEC_MODES.join(' | '), 'feature')
    .option('-t, --tier <n>', 'risk tier 1 | 2 | 3', '2')
    .option('-f, --force', 'overwrite a spec with the same id')
    .option('--json', 'print JSON for scripts instead of text')
    .action(action(init));
  return spec;
}

async function validate(ctx: CommandContext, file: string): Promise<ExitCode> {
  const path = resolve(file);
  let text: string;
  try {
    const stat = lstatSync(path);
    if (!stat.isFile()) return ctx.fail({ code: 'invalid_input', message: `${file} is not a file` });
    if (stat.size > MAX_SPEC_BYTES) return ctx.fail({ code: 'invalid_input', message: `${file} is larger than ${MAX_SPEC_BYTES / 1024} KiB` });
    text = readFileSync(path, 'utf8');
  } catch {
    return ctx.fail({ code: 'not_found', message: `no such file: ${file}` });
  }
  const result = parseSpecYaml(text);
  if (result.ok) {
    ctx.print({ file, valid: true, issues: [], spec: result.spec }, () =>
      `✔ ${file}: ${result.spec.id} "${result.spec.title}" is a valid working spec (tier ${result.spec.risk_tier}, ${result.spec.mode})`,
    );
    return EXIT.ok;
  }
  ctx.print({ file, valid: false, issues: result.issues }, () =>
    [`✘ ${file}: ${result.issues.length} problem${result.issues.length === 1 ? '' : 's'}`, ...result.issues.map((i) => `  ${i.path || '(spec)'}: ${i.message}`)].join('\n'),
  );
  return EXIT.failure;
}

async function init(ctx: CommandContext): Promise<ExitCode> {
  const opts = ctx.options as InitOptions;
  const repo = resolve(opts.repo ?? process.cwd());
  if (!existsSync(repo)) return ctx.fail({ code: 'not_found', message: `no such folder: ${repo}` });
  let id = opts.id;
  if (id === undefined) {
    const taken = new Set(listSpecFiles(repo).map((s) => (s.result.ok ? s.result.spec.id : '')));
    let n = 1;
    while (taken.has(`FEAT-${String(n).padStart(4, '0')}`) || existsSync(resolve(repo, SPECS_FOLDER, `FEAT-${String(n).padStart(4, '0')}.yaml`))) n++;
    id = `FEAT-${String(n).padStart(4, '0')}`;
  }
  if (!SPEC_ID_PATTERN.test(id)) return ctx.fail({ code: 'invalid_input', message: `--id: ${JSON.stringify(id)} is not a spec id like FEAT-0042` });
  const tier = numberOr(opts.tier);
  const draft: Record<string, unknown> = {
    id,
    title: opts.title,
    risk_tier: tier,
    mode: opts.mode,
    lifecycle_state: 'draft',
    blast_radius: { modules: ['src'], data_migration: false },
    scope: { in: ['src/'], out: ['node_modules'], support: ['test/'] },
    invariants: ['Behaviour not named in the acceptance criteria stays as it is'],
    acceptance: [{ id: 'A1', given: 'the current behaviour', when: 'the change is made', then: 'describe the observable result' }],
    non_functional: tier === 1 ? { security: ['describe what must stay protected'] } : {},
    contracts: [{ name: 'public behaviour', type: 'behavior' }],
    ...(tier === 1
      ? { rollback: ['git revert the applied commit'], observability: ['describe what is logged, measured or alerted on'], operational_rollback_slo: '30m' }
      : {}),
  };
  const checked = validateSpec(draft);
  if (!checked.ok) {
    const flags: Record<string, string> = { risk_tier: '--tier', mode: '--mode', title: '--title', id: '--id' };
    return ctx.fail({ code: 'invalid_input', message: 'invalid options', issues: checked.issues.map((i) => ({ path: flags[i.path] ?? i.path, message: i.message })) });
  }
  const target = resolve(repo, SPECS_FOLDER, `${id}.yaml`);
  if (existsSync(target) && !opts.force) {
    return ctx.fail({ code: 'conflict', message: `${relative(process.cwd(), target) || target} exists; pass --force to overwrite it` });
  }
  let file: string;
  try {
    file = writeSpecFile(repo, checked.spec);
  } catch (e) {
    if (e instanceof AppFailure) return ctx.fail(e.toError());
    throw e;
  }
  ctx.print({ file, spec: checked.spec }, () => `Wrote ${file}\nEdit it, then check it with: agent-agency spec validate ${relative(process.cwd(), file) || file}`);
  return EXIT.ok;
}
