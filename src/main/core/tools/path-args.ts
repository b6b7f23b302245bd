import type { ToolAccess } from '../../../shared/channels/tools';
import type { FrozenArguments, JsonValue } from './argument-snapshot';
import type { McpTool } from './mcp-connection';

/**
 * Which arguments of a tool call name files, so they can be checked against the workspace before
 * the call. MCP has no standard marker for "this is a path", so this errs on the side of checking:
 * a key that names a path, a property the schema describes as a path, and any `file://` URL.
 */

const PATH_WORDS = new Set([
  'path',
  'paths',
  'file',
  'files',
  'filename',
  'filenames',
  'filepath',
  'filepaths',
  'dir',
  'dirs',
  'directory',
  'directories',
  'folder',
  'folders',
  'cwd',
  'root',
  'roots',
  'source',
  'destination',
  'dest',
  'src',
  'dst',
]);

const DESCRIBES_PATH = /\b(path|file|directory|folder)s?\b/i;

/** One path in the arguments: where it sits (`pointer`), how to show that (`key`), and the text. */
export type PathArgument = { key: string; pointer: (string | number)[]; value: string };

/** `filePath`, `file_path`, `target-dir` → their last word: path, path, dir. */
function lastWord(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[_\-\s.]+/)
    .filter(Boolean);
  return words[words.length - 1] ?? '';
}

function isPathKey(key: string, described: ReadonlySet<string>): boolean {
  return PATH_WORDS.has(key.toLowerCase()) || PATH_WORDS.has(lastWord(key)) || described.has(key);
}

/** Top-level properties whose schema says they hold a path (by format or description). */
function describedPathProperties(tool: McpTool | undefined): Set<string> {
  const out = new Set<string>();
  const props = tool?.inputSchema.properties;
  if (!props) return out;
  for (const [key, schema] of Object.entries(props)) {
    if (!schema || typeof schema !== 'object') continue;
    const s = schema as { type?: unknown; format?: unknown; description?: unknown; items?: { type?: unknown } };
    const stringish = s.type === 'string' || (s.type === 'array' && s.items?.type === 'string');
    if (!stringish) continue;
    if (s.format === 'uri' || s.format === 'uri-reference' || s.format === 'path') out.add(key);
    else if (typeof s.description === 'string' && DESCRIBES_PATH.test(s.description) && !/\bpattern|glob\b/i.test(key)) out.add(key);
  }
  return out;
}

/**
 * Every string in `args` that names a file, with where it came from (`edits[0].path`). Walks all of
 * it: `args` is the gateway's frozen snapshot, whose size and depth were bounded (and refused when
 * over) before this runs, so nothing here is skipped for being deep or many.
 */
export function pathArguments(args: FrozenArguments, tool?: McpTool): PathArgument[] {
  const described = describedPathProperties(tool);
  const out: PathArgument[] = [];
  const visit = (value: JsonValue, pointer: (string | number)[], label: string, underPathKey: boolean) => {
    if (typeof value === 'string') {
      if (underPathKey || /^file:\/\//i.test(value)) out.push({ key: label, pointer, value });
      return;
    }
    if (Array.isArray(value)) {
      (value as readonly JsonValue[]).forEach((v, i) => visit(v, [...pointer, i], `${label}[${i}]`, underPathKey));
      return;
    }
    if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        visit(v, [...pointer, k], label ? `${label}.${k}` : k, isPathKey(k, pointer.length === 0 ? described : new Set()));
      }
    }
  };
  visit(args, [], '', false);
  return out;
}

const READ_VERBS = new Set(['read', 'get', 'list', 'search', 'find', 'query', 'fetch', 'view', 'show', 'describe', 'stat', 'head', 'tail', 'grep', 'ls', 'cat', 'lookup', 'inspect', 'count', 'check', 'diff']);

/** A tool that only reads: the server's readOnlyHint when it gives one, else judged by its verb. Unsure means write. */
export function toolAccess(tool: Pick<McpTool, 'name' | 'annotations'>): ToolAccess {
  const hint = tool.annotations?.readOnlyHint;
  if (hint === true) return 'read';
  if (hint === false) return 'write';
  const firstWord = tool.name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().split(/[_\-.\s/]+/)[0] ?? '';
  return READ_VERBS.has(firstWord) ? 'read' : 'write';
}
