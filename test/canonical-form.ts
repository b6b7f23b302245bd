/**
 * Every value the app hashes or signs goes through one canonical form (src/main/core/db/canonical.ts,
 * RFC 8785 rules), so the same value never hashes two ways. This finds source that bypasses it:
 * a hash over `JSON.stringify(...)`, or a second canonical-JSON implementation.
 */
const CANONICAL_HOME = 'src/main/core/db/canonical.ts';

const HASH_OF_STRINGIFY = [
  // createHash('sha256').update(JSON.stringify(x))
  /createHash\([^)]*\)\s*\.update\(\s*JSON\.stringify\(/g,
  // sha256(JSON.stringify(x)), sha256Hex(...), any *hash*(JSON.stringify(x))
  /\b\w*(?:sha256|Hash|hash)\w*\(\s*JSON\.stringify\(/g,
  // const h = createHash('sha256'); h.update(JSON.stringify(x))
  /\.update\(\s*JSON\.stringify\(/g,
  // sign(null, Buffer.from(JSON.stringify(x)), key), new CompactSign(encode(JSON.stringify(x))): signed bytes are hashed too
  /\b(?:sign|verify|CompactSign)\([^;]*?JSON\.stringify\(/g,
];

const SECOND_CANONICAL = /\b(?:function|const|let)\s+(?:canonicalJson|canonicalize|stableStringify|sortKeys)\b/g;

export function findHashBypasses(file: string, source: string): string[] {
  const problems: string[] = [];
  for (const re of HASH_OF_STRINGIFY) {
    for (const m of source.matchAll(re)) problems.push(`${file}: hashes JSON.stringify output (${m[0]}…); hash canonicalJson(value) or canonicalHash(value) instead`);
  }
  if (file.split('\\').join('/') !== CANONICAL_HOME) {
    for (const m of source.matchAll(SECOND_CANONICAL)) problems.push(`${file}: defines its own canonical form (${m[0]}); import it from ${CANONICAL_HOME}`);
  }
  return problems;
}
