/**
 * A GBNF grammar (llama.cpp's grammar language, which node-llama-cpp's `createGrammar` compiles) for
 * the text action format of format.ts. Code inside blocks is written as plain lines, never escaped.
 * A content line cannot start with five or more of `<`, `=`, `>`, so block markers are unambiguous.
 *
 * Every repetition can be bounded. With bounds, the longest answer the grammar allows is known
 * (`maxChars`); when that fits the token budget (every token is at least one character) a
 * constrained model always finishes a parseable action. Without bounds, an answer cut off at the
 * token limit fails to parse and is refused, never applied.
 */
export type GrammarLimits = {
  /** Edits per answer. */
  edits?: number;
  /** SEARCH/REPLACE blocks per EDIT. */
  blocks?: number;
  /** Lines per SEARCH, REPLACE or CONTENT part. */
  lines?: number;
  /** Characters per line (and of REASON). */
  lineChars?: number;
  /** Characters per path. */
  pathChars?: number;
  /** Offer the tool_call action. */
  tools?: boolean;
  /** Which of edit and no-op to offer (both by default). */
  actions?: ReadonlyArray<'edit' | 'no-op'>;
};

export type ActionGrammar = { gbnf: string; maxChars: number | null };

const rep = (item: string, min: number, max: number | undefined): string => (max === undefined ? `${item}${min === 0 ? '*' : '+'}` : `${item}{${min},${max}}`);

export function actionGrammar(limits: GrammarLimits = {}): ActionGrammar {
  const { edits, blocks, lines, lineChars, pathChars = 200 } = limits;
  const tail = lineChars === undefined ? undefined : Math.max(1, lineChars - 5);
  const rules = [
    `root ::= ${[...(limits.actions ?? ['edit', 'no-op']).map((a) => (a === 'edit' ? 'edit-action' : 'noop-action')), ...(limits.tools ? ['tool-action'] : [])].join(' | ')}`,
    `edit-action ::= "ACTION: edit\\n" common ${rep('edit', 1, edits)}`,
    `noop-action ::= "ACTION: no-op\\n" common`,
    `common ::= "REASON: " [^\\n<=> ] ${rep('[^\\n]', 0, tail)} "\\nCONFIDENCE: " confidence "\\nCRITERIA:" ${rep('criterion', 0, 20)} "\\n"`,
    `confidence ::= "0." [0-9] | "1.0"`,
    `criterion ::= " " [A-Za-z] ${rep('[A-Za-z0-9_.-]', 0, 11)}`,
    `edit ::= replace-edit | write-edit | delete-edit | rename-edit`,
    `replace-edit ::= "EDIT " path "\\n" ${rep('sr-block', 1, blocks)}`,
    `sr-block ::= "<<<<<<< SEARCH\\n" ${rep('line', 1, lines)} "=======\\n" ${rep('line', 0, lines)} ">>>>>>> REPLACE\\n"`,
    `write-edit ::= "WRITE " path "\\n<<<<<<< CONTENT\\n" ${rep('line', 0, lines)} ">>>>>>> END\\n"`,
    `delete-edit ::= "DELETE " path "\\n"`,
    `rename-edit ::= "RENAME " path " -> " path "\\n"`,
    `path ::= [A-Za-z0-9_.@+] ${rep('[A-Za-z0-9_./@+-]', 0, pathChars - 1)}`,
    // A line: empty, or not opening with a marker character, or one to four marker characters then text.
    `line ::= (text-start | [<=>] [<=>]? [<=>]? [<=>]? text-start?)? "\\n"`,
    `text-start ::= [^\\n<=>] ${rep('[^\\n]', 0, tail)}`,
  ];
  if (limits.tools) {
    rules.push(
      `tool-action ::= "ACTION: tool_call\\nREASON: " [^\\n<=> ] ${rep('[^\\n]', 0, tail)} "\\nTOOL: " [A-Za-z0-9_] ${rep('[A-Za-z0-9_.:/-]', 0, 150)} "\\nARGS: " object "\\n"`,
      `object ::= "{" ( string ":" value ( "," string ":" value )* )? "}"`,
      `array ::= "[" ( value ( "," value )* )? "]"`,
      `value ::= object | array | string | number | "true" | "false" | "null"`,
      `string ::= "\\"" ( [^"\\\\\\n] | "\\\\" ["\\\\/bfnrt] )* "\\""`,
      `number ::= "-"? [0-9]+ ("." [0-9]+)?`,
    );
  }
  return { gbnf: `${rules.join('\n')}\n`, maxChars: limits.tools ? null : worstCase(limits) };
}

/** Longest text the bounded grammar allows, or null when some part is unbounded. */
function worstCase(l: GrammarLimits): number | null {
  if (l.edits === undefined || l.blocks === undefined || l.lines === undefined || l.lineChars === undefined) return null;
  const path = l.pathChars ?? 200;
  const line = l.lineChars + 1;
  const header = 'ACTION: no-op\n'.length + 'REASON: '.length + line + 'CONFIDENCE: 0.0\nCRITERIA:\n'.length + 20 * 13;
  const block = '<<<<<<< SEARCH\n=======\n>>>>>>> REPLACE\n'.length + 2 * l.lines * line;
  const replaceEdit = 'EDIT \n'.length + path + l.blocks * block;
  const writeEdit = 'WRITE \n<<<<<<< CONTENT\n>>>>>>> END\n'.length + path + l.lines * line;
  const renameEdit = 'RENAME  -> \n'.length + 2 * path;
  return header + l.edits * Math.max(replaceEdit, writeEdit, renameEdit);
}
