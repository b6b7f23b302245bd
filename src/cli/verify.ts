import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { VerificationReport } from '../shared/channels/provenance';
import { verifyBundle } from '../main/core/provenance/bundle-verify';
import { PublicJwk } from '../main/core/provenance/keys';
import { EXIT } from './exit-codes';
import { processIo, type Io } from './io';

export type VerifyOptions = { key?: string[]; json?: boolean; sources?: string };

/** A trusted-key file: one JWK, a list, a JWKS (`{ keys: [...] }`), or an app's `keys/history.json`. */
export const KeyFile = z.union([
  PublicJwk.transform((k) => [k]),
  z.array(PublicJwk),
  z.object({ keys: z.array(z.union([PublicJwk, z.object({ publicJwk: PublicJwk }).transform((k) => k.publicJwk)])) }).transform((f) => f.keys),
]);

/**
 * `agent-agency verify <bundle>`: checks a bundle offline (hashes, chain, signatures, and with
 * `--sources DIR` the hashes of the source files it lists). Exit 0 when it verifies, 1 naming each
 * problem when it does not, 2 when the bundle, a key file or the sources directory cannot be read.
 */
export async function verifyCommand(bundleFile: string, options: VerifyOptions, io: Io = processIo): Promise<number> {
  let text: string;
  try {
    text = readFileSync(resolve(bundleFile), 'utf8');
  } catch (e) {
    io.err(`agent-agency: cannot read ${bundleFile}: ${(e as Error).message}\n`);
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? EXIT.notFound : EXIT.usage;
  }
  let trustedKeys: PublicJwk[] | undefined;
  for (const file of options.key ?? []) {
    let parsed;
    try {
      parsed = KeyFile.safeParse(JSON.parse(readFileSync(resolve(file), 'utf8')));
    } catch (e) {
      io.err(`agent-agency: --key ${file}: ${(e as Error).message}\n`);
      return EXIT.usage;
    }
    if (!parsed.success) {
      io.err(`agent-agency: --key ${file}: not an Ed25519 public JWK, JWKS or key history\n`);
      return EXIT.usage;
    }
    trustedKeys = [...(trustedKeys ?? []), ...parsed.data];
  }
  let sourcesDir: string | undefined;
  if (options.sources !== undefined) {
    sourcesDir = resolve(options.sources);
    if (!isDirectory(sourcesDir)) {
      io.err(`agent-agency: --sources ${options.sources}: not a directory\n`);
      return EXIT.usage;
    }
  }
  const report = await verifyBundle(text, { ...(trustedKeys ? { trustedKeys } : {}), ...(sourcesDir ? { sourcesDir } : {}) });
  if (options.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else if (report.ok) io.out(describeOk(report));
  else io.err(describeFailure(bundleFile, report));
  return report.ok ? EXIT.ok : EXIT.failure;
}

function describeOk(r: VerificationReport): string {
  const signers = r.signers.map((s) => `${s.kid}${s.trusted ? ' (trusted)' : ''}`).join(', ');
  const lines = [
    `Verified: audit bundle of ${r.taskId}`,
    `  ${plural(r.checked.entries, 'entry', 'entries')}, ${plural(r.checked.events, 'record')}, ${plural(r.checked.signatures, 'signature')} intact`,
    `  signed by ${signers}`,
    ...sourcesLine(r),
    ...r.warnings.map((w) => `  note: ${w}`),
  ];
  return `${lines.join('\n')}\n`;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** What became of the sources the bundle lists: checked against the files given, or not checked. */
function sourcesLine(r: VerificationReport): string[] {
  if (!r.sources) return [];
  if (!r.sources.checked) return [`  ${plural(r.sources.listed, 'source version')} listed, not checked: pass --sources DIR with the files to check their hashes`];
  const count = (s: string) => r.sources!.files.filter((f) => f.status === s).length;
  return [`  sources: ${count('matches')} match the last version recorded, ${count('earlier')} an earlier one, ${count('not_supplied')} not supplied, ${count('not_checkable')} not checkable by file (knowledge chunks)`];
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function describeFailure(file: string, r: VerificationReport): string {
  const width = Math.max(...r.problems.map((p) => p.kind.length));
  const lines = [
    `agent-agency: ${file} FAILED verification (${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}):`,
    ...r.problems.map((p) => `  ${p.kind.padEnd(width)}  ${p.message}`),
  ];
  return `${lines.join('\n')}\n`;
}
