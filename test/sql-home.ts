/**
 * SQL lives in the query files per table (src/main/core/db/queries/, plus the migrations and the
 * connection setup beside them), so a schema change has one place to look. This finds SQL written
 * anywhere else in the main-process and command-line source: a string that starts like a statement,
 * or a statement prepared on a connection.
 *
 * The data explorer (src/main/core/explorer/) is the one exception: it runs the user's own read-only
 * SQL, and builds paging and counting statements over whatever table the user opens.
 */
const SQL_HOMES = ['src/main/core/db/', 'src/main/core/explorer/'];

const SQL_TEXT = /[`'"]\s*(?:SELECT|INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(?:VIRTUAL\s+|UNIQUE\s+)?(?:TABLE|INDEX|TRIGGER|VIEW)|DROP\s+TABLE|ALTER\s+TABLE|WITH\s+\w+\s+AS)\b/g;
const PREPARED = /\b(?:db|Db|this\.db|\w+Db)\s*\.\s*(?:prepare|exec)\s*\(|\bcachedStatement\s*\(/g;

export function findInlineSql(file: string, source: string): string[] {
  const p = file.split('\\').join('/');
  if (!p.startsWith('src/main/') && !p.startsWith('src/cli/')) return [];
  if (SQL_HOMES.some((home) => p.startsWith(home))) return [];
  if (/\.test\.tsx?$/.test(p) || p.includes('/testing/')) return [];
  const problems: string[] = [];
  for (const re of [SQL_TEXT, PREPARED]) {
    for (const m of source.matchAll(re)) {
      const line = source.slice(0, m.index).split('\n').length;
      problems.push(`${p}:${line}: SQL outside src/main/core/db/queries (${m[0].trim()}…); move it into the query file of its table`);
    }
  }
  return problems;
}
