import { lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { SPEC_ID_PATTERN, type WorkingSpec } from '../../../shared/domain/working-spec';
import { AppFailure } from '../../../shared/errors';
import type { SpecValidation } from './validate';
import { MAX_SPEC_BYTES, parseSpecYaml, serializeSpec } from './yaml';

/**
 * A repository's `.caws/specs/` folder. Every path is checked after resolving symbolic links, so a
 * link planted in the repository cannot make us read or write outside it.
 */
export const SPECS_FOLDER = join('.caws', 'specs');

export type StoredSpec = { file: string; result: SpecValidation };

export function readSpecFile(repoDir: string, id: string): StoredSpec {
  const file = specFile(repoDir, id, false);
  let text: string;
  try {
    const stat = lstatSync(file);
    if (!stat.isFile()) throw new AppFailure('invalid_input', `${relative(repoDir, file)} is not a regular file`);
    if (stat.size > MAX_SPEC_BYTES) throw new AppFailure('invalid_input', `${relative(repoDir, file)} is larger than ${MAX_SPEC_BYTES / 1024} KiB`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof AppFailure) throw e;
    throw new AppFailure('not_found', `no spec ${id} in ${SPECS_FOLDER} of ${repoDir}`);
  }
  return { file, result: parseSpecYaml(text) };
}

/** Writes `<id>.yaml` atomically (temp file + rename); returns the file written. */
export function writeSpecFile(repoDir: string, spec: WorkingSpec): string {
  const file = specFile(repoDir, spec.id, true);
  try {
    if (lstatSync(file).isSymbolicLink()) throw new AppFailure('forbidden', `${relative(repoDir, file)} is a symbolic link; refusing to write through it`);
  } catch (e) {
    if (e instanceof AppFailure) throw e;
    // Absent: fine, it is created below.
  }
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, serializeSpec(spec), { encoding: 'utf8', mode: 0o644 });
  renameSync(temp, file);
  return file;
}

/** Every `*.yaml` spec in the folder with its validation; an absent folder is an empty list. */
export function listSpecFiles(repoDir: string): StoredSpec[] {
  let dir: string;
  try {
    dir = specsDir(repoDir, false);
  } catch (e) {
    if (e instanceof AppFailure && e.code === 'not_found') return [];
    throw e;
  }
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .flatMap((name) => {
      const id = name.replace(/\.ya?ml$/, '');
      if (!SPEC_ID_PATTERN.test(id)) return [];
      return [readSpecFile(repoDir, id)];
    });
}

function specFile(repoDir: string, id: string, create: boolean): string {
  if (!SPEC_ID_PATTERN.test(id)) throw new AppFailure('invalid_input', `id: ${JSON.stringify(id)} is not a spec id like FEAT-0042`);
  const dir = specsDir(repoDir, create);
  const yml = join(dir, `${id}.yml`);
  try {
    if (!create && lstatSync(yml).isFile()) return yml;
  } catch {
    // Not there under the short extension.
  }
  return join(dir, `${id}.yaml`);
}

function specsDir(repoDir: string, create: boolean): string {
  let root: string;
  try {
    root = realpathSync(resolve(repoDir));
  } catch {
    throw new AppFailure('not_found', `repository ${repoDir} does not exist`);
  }
  const dir = join(root, SPECS_FOLDER);
  if (create) mkdirSync(dir, { recursive: true });
  let real: string;
  try {
    real = realpathSync(dir);
  } catch {
    throw new AppFailure('not_found', `${SPECS_FOLDER} does not exist in ${repoDir}`);
  }
  if (real !== dir || !(real + sep).startsWith(root + sep)) {
    throw new AppFailure('forbidden', `${SPECS_FOLDER} in ${repoDir} resolves outside the repository (${real}); refusing to use it`);
  }
  return dir;
}
