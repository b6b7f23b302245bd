import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Language, Parser, Query } from 'web-tree-sitter';

/**
 * Definitions, referenced names and imports of a source file, from tree-sitter (web-tree-sitter
 * 0.25.10 with the prebuilt grammars of tree-sitter-wasms 0.1.13; see docs/adr/0013). Languages
 * without a grammar here yield nothing; the file is still indexed as text.
 */
export type FileSymbols = {
  definitions: Array<{ name: string; kind: string; line: number }>;
  /** Distinct identifiers used in the file. */
  references: string[];
  /** Module specifiers as written (`./a`, `../b/c.js`, `pkg`, `pkg.mod`). */
  imports: string[];
};

type LanguageSpec = { wasm: string; query: string };

const JS_QUERY = `
(function_declaration name: (identifier) @def.function)
(generator_function_declaration name: (identifier) @def.function)
(class_declaration name: (_) @def.class)
(method_definition name: (property_identifier) @def.method)
(variable_declarator name: (identifier) @def.variable)
(import_statement source: (string) @import)
(export_statement source: (string) @import)
(call_expression function: (identifier) @_req arguments: (arguments (string) @import) (#eq? @_req "require"))
(identifier) @ref
(property_identifier) @ref
`;
const TS_QUERY = `${JS_QUERY}
(interface_declaration name: (type_identifier) @def.interface)
(type_alias_declaration name: (type_identifier) @def.type)
(enum_declaration name: (identifier) @def.enum)
(abstract_class_declaration name: (type_identifier) @def.class)
(type_identifier) @ref
`;
const PY_QUERY = `
(function_definition name: (identifier) @def.function)
(class_definition name: (identifier) @def.class)
(import_statement name: (dotted_name) @import)
(import_from_statement module_name: (_) @import)
(identifier) @ref
`;

const LANGUAGES: Record<string, LanguageSpec> = {
  javascript: { wasm: 'tree-sitter-javascript.wasm', query: JS_QUERY },
  typescript: { wasm: 'tree-sitter-typescript.wasm', query: TS_QUERY },
  tsx: { wasm: 'tree-sitter-tsx.wasm', query: TS_QUERY },
  python: { wasm: 'tree-sitter-python.wasm', query: PY_QUERY },
};

const EXTENSIONS: Record<string, keyof typeof LANGUAGES> = {
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  ts: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  tsx: 'tsx',
  py: 'python',
};

export function languageOf(path: string): string | null {
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  return ext ? (EXTENSIONS[ext] ?? null) : null;
}

/** Files larger than this are not parsed (generated or vendored code); they stay searchable as text. */
const MAX_PARSE_CHARS = 400_000;

type Loaded = { parser: Parser; query: Query };

export class SymbolExtractor {
  private static runtime: Promise<void> | undefined;
  private readonly loaded = new Map<string, Promise<Loaded>>();

  async extract(path: string, text: string): Promise<FileSymbols | null> {
    const lang = languageOf(path);
    if (!lang || text.length > MAX_PARSE_CHARS) return null;
    const { parser, query } = await this.load(lang);
    const tree = parser.parse(text);
    if (!tree) return null;
    try {
      const definitions: FileSymbols['definitions'] = [];
      const references = new Set<string>();
      const imports = new Set<string>();
      for (const capture of query.captures(tree.rootNode)) {
        const name = capture.name;
        const node = capture.node;
        if (name === 'ref') {
          if (node.text.length >= 3) references.add(node.text);
        } else if (name === 'import') imports.add(node.text.replace(/^['"`]|['"`]$/g, ''));
        else if (name === 'def.variable' && !topLevel(node)) continue;
        else if (name.startsWith('def.')) definitions.push({ name: node.text, kind: name.slice(4), line: node.startPosition.row + 1 });
      }
      return { definitions, references: [...references], imports: [...imports] };
    } finally {
      tree.delete();
    }
  }

  private load(lang: string): Promise<Loaded> {
    let pending = this.loaded.get(lang);
    if (!pending) {
      pending = (async () => {
        SymbolExtractor.runtime ??= Parser.init({ locateFile: (file: string) => requireHere.resolve(`web-tree-sitter/${file}`) });
        await SymbolExtractor.runtime;
        const spec = LANGUAGES[lang]!;
        const language = await Language.load(join(packageDir('tree-sitter-wasms'), 'out', spec.wasm));
        const parser = new Parser();
        parser.setLanguage(language);
        return { parser, query: new Query(language, spec.query) };
      })();
      pending.catch(() => this.loaded.delete(lang));
      this.loaded.set(lang, pending);
    }
    return pending;
  }
}

/** A variable declared at module level (`const x = …` or `export const x = …`), not a local one. */
function topLevel(node: { parent: { parent: { type: string; parent: { type: string } | null } | null } | null }): boolean {
  const scope = node.parent?.parent?.parent?.type;
  return scope === 'program' || scope === 'export_statement';
}

// Not named `require`: the main bundle's ESM shim declares one at the top of the same chunk.
const requireHere = createRequire(import.meta.url);
function packageDir(name: string): string {
  return dirname(requireHere.resolve(`${name}/package.json`));
}
