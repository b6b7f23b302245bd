/**
 * Words for the full-text index and for queries: identifiers are split at camelCase, snake_case,
 * kebab-case and dots, and kept whole too, so "resolveTaskPath" finds "resolve task path" and back.
 */
const STOP = new Set(
  (
    'the and for with from into that this these those when then than not but are was were has have had its their there where which what who ' +
    'can could should would will shall may might must use uses used using add adds added make makes made new old also only just more less ' +
    'all any each every some other one two via per out off our your you they them his her fix fixes fixed feat chore refactor docs doc test ' +
    'tests style perf build ci wip bump update updates updated change changes changed remove removes removed move moves moved rename renamed ' +
    'support supports allow allows let lets get gets set sets now yet too very much many most own same such like does did done how why ' +
    'instead after before about over under while still even both either neither whether because since until within without'
  ).split(' '),
);

export function splitIdentifier(word: string): string[] {
  return word
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** Words of a text for the index: each identifier whole (lowercased) and its parts. */
export function indexWords(text: string): string {
  const out: string[] = [];
  for (const token of text.match(/[A-Za-z_$][A-Za-z0-9_$]*/g) ?? []) {
    const parts = splitIdentifier(token);
    if (parts.length > 1) out.push(token.toLowerCase().replace(/[^a-z0-9]/g, ''), ...parts);
    else out.push(...parts);
  }
  return out.join(' ');
}

/** The words of a path: folders, file name, its parts. */
export function pathWords(path: string): string {
  return path
    .split(/[/.]/)
    .flatMap((seg) => [seg.toLowerCase().replace(/[^a-z0-9]/g, ''), ...splitIdentifier(seg)])
    .filter((w) => w.length > 0)
    .join(' ');
}

/**
 * A release version (`1.2.3`, `v2.0.0-rc.1`) in a commit message or a task stands for this one word,
 * so a task naming a version finds the commits that named one (release commits change the same files).
 */
export const VERSION_WORD = 'releaseversion';
const VERSION = /(^|[^\w.])v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?(?!\w)/;

/**
 * The scopes of a conventional-commit header (`feat(tools): …`, `fix(api,cli)!: …`), lowercased with
 * separators removed (`governance-steps` → `governancesteps`); none when the first line has no scope.
 */
export function commitScopes(text: string): string[] {
  const m = /^\s*[A-Za-z]+\(([^)]{1,60})\)!?:/.exec(text);
  if (!m) return [];
  return [...new Set(m[1]!.split(/[,/|\s]+/).map((s) => s.toLowerCase().replace(/[^a-z0-9]/g, '')).filter((s) => s.length >= 2))];
}

/** The type of a conventional-commit header (`docs(api): …` → `docs`), lowercased; null without one. */
export function commitType(text: string): string | null {
  const m = /^\s*([A-Za-z]+)(\([^)]{1,60}\))?!?:\s/.exec(text);
  return m ? m[1]!.toLowerCase() : null;
}

/** The history index's word for a commit scope: a word no message says, so a search finds exactly the commits of that scope. */
export const scopeWord = (scope: string): string => `commitscope${scope}`;

/** Words of a commit message for the history index: its words and identifier parts, the version word and the scope words. */
export function messageWords(text: string): string {
  const scopes = commitScopes(text).map(scopeWord);
  return [indexWords(text), ...(VERSION.test(text) ? [VERSION_WORD] : []), ...scopes].join(' ');
}

/** Query terms of a task text: meaningful words and identifier parts, without stop words. */
export function queryTerms(text: string): string[] {
  const terms = new Set<string>();
  if (VERSION.test(text)) terms.add(VERSION_WORD);
  for (const token of text.match(/[A-Za-z_$][A-Za-z0-9_$-]*/g) ?? []) {
    const whole = token.toLowerCase().replace(/[^a-z0-9]/g, '');
    const parts = splitIdentifier(token);
    for (const w of parts.length > 1 ? [whole, ...parts] : parts) if (w.length >= 3 && !STOP.has(w) && !/^\d+$/.test(w)) terms.add(w);
  }
  return [...terms];
}

/** Identifiers a task names (camelCase, snake_case, dotted or backticked), lowercased. */
export function namedIdentifiers(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/`([^`]+)`/g)) for (const t of m[1]!.match(/[A-Za-z_$][A-Za-z0-9_$]*/g) ?? []) if (t.length >= 3) out.add(t.toLowerCase());
  for (const t of text.match(/[A-Za-z_$][A-Za-z0-9_$]*/g) ?? []) {
    if (t.length >= 4 && (/[a-z][A-Z]/.test(t) || /[a-z]_[a-z]/i.test(t) || /^[A-Z][a-z]+[A-Z]/.test(t))) out.add(t.toLowerCase());
  }
  return [...out];
}
