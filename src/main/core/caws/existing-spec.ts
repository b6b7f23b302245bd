import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkingSpec } from '../../../shared/domain/working-spec';
import { AppFailure } from '../../../shared/errors';
import { readSpecFile, SPECS_FOLDER } from './spec-store';
import type { SpecValidation } from './validate';
import { MAX_SPEC_BYTES, parseSpecYaml } from './yaml';

export const WORKING_SPEC_FILE = join('.caws', 'working-spec.yaml');

/**
 * The spec `id` a repository already has: `.caws/specs/<id>.yaml` first, else `.caws/working-spec.yaml`
 * when its id is `id`. It is validated with our CAWS schema before anything uses it; a spec that is
 * not valid is refused with every issue naming its field (`specId: acceptance[0].id: …`).
 */
export function readRepositorySpec(repoDir: string, id: string): WorkingSpec {
  const found = fromSpecsFolder(repoDir, id) ?? fromWorkingSpec(repoDir, id);
  if (!found) {
    throw new AppFailure('not_found', `specId: no spec ${id} in ${SPECS_FOLDER} or ${WORKING_SPEC_FILE} of ${repoDir}`, [
      { path: 'specId', message: `no spec ${id} in this repository` },
    ]);
  }
  if (!found.result.ok) {
    const issues = found.result.issues.map((i) => ({ path: `specId${i.path ? `.${i.path}` : ''}`, message: i.message }));
    const listed = found.result.issues.map((i) => `${i.path || '(document)'}: ${i.message}`).join('; ');
    throw new AppFailure('invalid_input', `specId: ${found.file} is not a valid CAWS working spec: ${listed}`, issues);
  }
  return found.result.spec;
}

function fromSpecsFolder(repoDir: string, id: string): { file: string; result: SpecValidation } | undefined {
  try {
    const stored = readSpecFile(repoDir, id);
    return { file: join(SPECS_FOLDER, `${id}.yaml`), result: stored.result };
  } catch (e) {
    if (e instanceof AppFailure && e.code === 'not_found') return undefined;
    throw e;
  }
}

function fromWorkingSpec(repoDir: string, id: string): { file: string; result: SpecValidation } | undefined {
  const file = join(repoDir, WORKING_SPEC_FILE);
  let text: string;
  try {
    const stat = lstatSync(file);
    if (!stat.isFile() || stat.size > MAX_SPEC_BYTES) return undefined;
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const result = parseSpecYaml(text);
  // An invalid working spec is reported only when it claims to be the one asked for.
  const claimed = /^id:\s*["']?([^"'\s#]+)/m.exec(text)?.[1];
  if (result.ok ? result.spec.id !== id : claimed !== id) return undefined;
  return { file: WORKING_SPEC_FILE, result };
}
