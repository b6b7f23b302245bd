/**
 * The program of the explorer's query process, run as `node -e` (or Electron with
 * ELECTRON_RUN_AS_NODE). It is plain CommonJS text rather than a module of this project because it
 * runs in a separate process that must start from nothing: the main process hands it the driver's
 * and the extension's absolute paths in AA_EXPLORER_INIT.
 *
 * Why a process and not a worker thread: a worker cannot be stopped while SQLite is inside one
 * long step (Worker#terminate only takes effect when control returns to JavaScript, and an
 * aggregate over a runaway recursive CTE never returns), and better-sqlite3 has no interrupt.
 * Killing a process always works.
 *
 * Its connection mirrors openReadOnly (db/open.ts): opened read-only (SQLITE_OPEN_READONLY, which
 * no statement can lift), query_only on, sqlite-vec loaded. On top of that it only ever steps
 * statements that SQLite itself compiled as returning rows (`stmt.reader`), so ATTACH, VACUUM INTO
 * and BEGIN never run; whatever does return rows and still tries to write (INSERT … RETURNING) is
 * refused by the read-only connection.
 */
export const EXPLORER_CHILD_SOURCE = String.raw`'use strict';
const send = (message) => { if (process.connected) process.send(message); };
const MAX_CELL_CHARS = 10000;
let db;
let open;
try {
  const init = JSON.parse(process.env.AA_EXPLORER_INIT || '{}');
  const Database = require(init.driver);
  open = () => {
    const c = new Database(init.file, { readonly: true, fileMustExist: true });
    c.pragma('query_only = ON');
    if (init.extension) c.loadExtension(init.extension);
    return c;
  };
  db = open();
} catch (e) {
  send({ kind: 'fatal', message: e && e.message ? String(e.message) : String(e) });
  process.exit(1);
}

// SQLite applies some PRAGMAs while compiling them (query_only = OFF takes effect in prepare,
// before anyone can look at the statement), so a refused statement may already have changed the
// connection's settings: start again from a fresh connection whenever that can have happened.
function pristine() {
  try {
    return db.pragma('query_only', { simple: true }) === 1 && db.pragma('database_list').length <= 2;
  } catch (e) {
    return false;
  }
}
function reopen() {
  try { db.close(); } catch (e) { /* already unusable */ }
  db = open();
}

function cell(v) {
  if (v === null || v === undefined) return [null, 4];
  if (typeof v === 'bigint') {
    const n = v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v.toString();
    return [n, 12];
  }
  if (typeof v === 'number') return [Number.isFinite(v) ? v : String(v), 12];
  if (typeof v === 'string') {
    const s = v.length > MAX_CELL_CHARS ? v.slice(0, MAX_CELL_CHARS) + '…' : v;
    return [s, s.length + 2];
  }
  if (v instanceof Uint8Array) return [{ blob: v.length }, 16];
  const s = String(v);
  return [s, s.length + 2];
}

function run(req) {
  const stmt = db.prepare(req.sql);
  if (!stmt.reader) {
    reopen();
    return { id: req.id, kind: 'error', code: 'not_a_query', message: 'only statements that return rows run here (SELECT, WITH, EXPLAIN, PRAGMA reads); the explorer\'s connection is read-only' };
  }
  stmt.safeIntegers(true);
  stmt.raw(true);
  const columns = stmt.columns().map((c) => c.name);
  const rows = [];
  let bytes = 0;
  let truncated = false;
  for (const raw of stmt.iterate(...req.params)) {
    if (rows.length >= req.rowLimit || bytes >= req.maxBytes) { truncated = true; break; }
    const row = new Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const [value, size] = cell(raw[i]);
      row[i] = value;
      bytes += size;
    }
    rows.push(row);
  }
  return { id: req.id, kind: 'rows', columns, rows, truncated };
}

process.on('message', (req) => {
  let reply;
  try {
    reply = run(req);
  } catch (e) {
    reply = { id: req && req.id, kind: 'error', code: e && e.code ? String(e.code) : 'error', message: e && e.message ? String(e.message) : String(e) };
  }
  if (!pristine()) reopen();
  send(reply);
});
process.on('disconnect', () => process.exit(0));
send({ kind: 'ready' });
`;
