import { parseDocument, stringify } from 'yaml';
import { SPEC_FIELDS, type WorkingSpec } from '../../../shared/domain/working-spec';
import { validateSpec, type SpecValidation } from './validate';

/** Specs are small; anything larger is not a hand- or model-written plan. */
export const MAX_SPEC_BYTES = 256 * 1024;

/** Parses CAWS YAML and validates it; YAML syntax errors are reported with their line. */
export function parseSpecYaml(text: string): SpecValidation {
  if (Buffer.byteLength(text, 'utf8') > MAX_SPEC_BYTES) {
    return { ok: false, issues: [{ path: '', message: `the spec is larger than ${MAX_SPEC_BYTES / 1024} KiB` }] };
  }
  // uniqueKeys: a key written twice is a mistake, not a silent override.
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => {
        const line = e.linePos?.[0];
        const message = (e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
        return { path: '', message: `YAML ${line ? `line ${line.line}, column ${line.col}: ` : ''}${message}` };
      }),
    };
  }
  return validateSpec(doc.toJS({ maxAliasCount: 50 }));
}

/** Writes a spec with its fields in the canonical CAWS order, so diffs of two versions stay readable. */
export function serializeSpec(spec: WorkingSpec): string {
  const ordered: Record<string, unknown> = {};
  for (const key of SPEC_FIELDS) if (spec[key] !== undefined) ordered[key] = spec[key];
  return stringify(ordered, { lineWidth: 0 });
}
