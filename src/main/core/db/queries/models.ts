import { z } from 'zod';
import { CanaryConfig, GgufFacts, ModelEntry, ModelName, RoleAssignment, type ModelRoleName } from '../../../../shared/domain/model';
import type { Db } from '../open';

type ModelRow = {
  name: string;
  kind: string;
  path: string | null;
  size_bytes: number | null;
  sha256: string | null;
  facts: string | null;
  endpoint_url: string | null;
  endpoint_model: string | null;
  api_key: string | null;
  added_at: number;
};

/** Rows are parsed on the way out: JSON columns are untrusted like any other input. */
function fromRow(row: ModelRow): ModelEntry {
  if (row.kind === 'remote') {
    return ModelEntry.parse({
      kind: 'remote',
      name: row.name,
      endpoint: { baseUrl: row.endpoint_url, model: row.endpoint_model, hasApiKey: Boolean(row.api_key) },
      addedAt: row.added_at,
    });
  }
  return ModelEntry.parse({
    kind: 'gguf',
    name: row.name,
    path: row.path,
    sizeBytes: row.size_bytes,
    sha256: row.sha256,
    facts: GgufFacts.parse(JSON.parse(row.facts ?? 'null')),
    addedAt: row.added_at,
  });
}

export function insertModel(db: Db, entry: ModelEntry, apiKey?: string): void {
  db.prepare(
    `INSERT INTO models (name, kind, path, size_bytes, sha256, facts, endpoint_url, endpoint_model, api_key, added_at)
     VALUES (@name, @kind, @path, @sizeBytes, @sha256, @facts, @endpointUrl, @endpointModel, @apiKey, @addedAt)`,
  ).run(
    entry.kind === 'gguf'
      ? {
          name: entry.name,
          kind: 'gguf',
          path: entry.path,
          sizeBytes: entry.sizeBytes,
          sha256: entry.sha256,
          facts: JSON.stringify(entry.facts),
          endpointUrl: null,
          endpointModel: null,
          apiKey: null,
          addedAt: entry.addedAt,
        }
      : {
          name: entry.name,
          kind: 'remote',
          path: null,
          sizeBytes: null,
          sha256: null,
          facts: null,
          endpointUrl: entry.endpoint.baseUrl,
          endpointModel: entry.endpoint.model,
          apiKey: apiKey ?? null,
          addedAt: entry.addedAt,
        },
  );
}

/** Replaces a local model's header facts (read again from its file). */
export function updateModelFacts(db: Db, name: string, facts: GgufFacts): void {
  db.prepare("UPDATE models SET facts = ? WHERE name = ? AND kind = 'gguf'").run(JSON.stringify(facts), name);
}

export function getModel(db: Db, name: string): ModelEntry | undefined {
  const row = db.prepare('SELECT * FROM models WHERE name = ?').get(name) as ModelRow | undefined;
  return row ? fromRow(row) : undefined;
}

export function getModelByPath(db: Db, path: string): ModelEntry | undefined {
  const row = db.prepare('SELECT * FROM models WHERE path = ?').get(path) as ModelRow | undefined;
  return row ? fromRow(row) : undefined;
}

export function getModelApiKey(db: Db, name: string): string | undefined {
  const row = db.prepare('SELECT api_key FROM models WHERE name = ?').get(name) as { api_key: string | null } | undefined;
  return row?.api_key ?? undefined;
}

export function listModels(db: Db): ModelEntry[] {
  return (db.prepare('SELECT * FROM models ORDER BY added_at, name').all() as ModelRow[]).map(fromRow);
}

export function deleteModel(db: Db, name: string): boolean {
  return db.prepare('DELETE FROM models WHERE name = ?').run(name).changes > 0;
}

type RoleRow = { role: string; model: string; alternates: string; canary: string | null; updated_at: number };

const Alternates = z.array(ModelName);

function roleFromRow(row: RoleRow): RoleAssignment {
  return RoleAssignment.parse({
    role: row.role,
    model: row.model,
    alternates: Alternates.parse(JSON.parse(row.alternates)),
    canary: row.canary === null ? null : CanaryConfig.parse(JSON.parse(row.canary)),
  });
}

export function listRoles(db: Db): RoleAssignment[] {
  return (db.prepare('SELECT * FROM model_roles ORDER BY role').all() as RoleRow[]).map(roleFromRow);
}

export function upsertRole(db: Db, assignment: RoleAssignment, at: number): void {
  db.prepare(
    `INSERT INTO model_roles (role, model, alternates, canary, updated_at) VALUES (@role, @model, @alternates, @canary, @at)
     ON CONFLICT(role) DO UPDATE SET model = excluded.model, alternates = excluded.alternates, canary = excluded.canary,
       updated_at = excluded.updated_at`,
  ).run({
    role: assignment.role,
    model: assignment.model,
    alternates: JSON.stringify(assignment.alternates),
    canary: assignment.canary ? JSON.stringify(assignment.canary) : null,
    at,
  });
}

export function deleteRole(db: Db, role: ModelRoleName): void {
  db.prepare('DELETE FROM model_roles WHERE role = ?').run(role);
}

/** Roles whose primary, alternates or canary name `model`. */
export function rolesUsing(db: Db, model: string): ModelRoleName[] {
  return listRoles(db)
    .filter((r) => r.model === model || r.alternates.includes(model) || r.canary?.model === model)
    .map((r) => r.role);
}
