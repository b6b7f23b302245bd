import { relative, sep } from 'node:path';
import type { KnowledgeHit } from '../../../shared/domain/knowledge';
import type { ClaimSource, KnowledgeLookup, KnowledgePassage } from '../claims/types';
import type { Db } from '../db/open';
import { getEntity } from '../db/queries/knowledge';
import type { KnowledgeService } from './knowledge-service';
import { repositoryKey } from './repository-docs';

/**
 * What the claim verifier reads of the knowledge base for one task: the best chunks for a statement
 * among the user's documents, the task's attachments and its repository's docs, each with the file it
 * came from as a source (a repository doc by its relative path, an attachment by its name, a document
 * the user added by its path) and the hash of the version indexed.
 */
export function knowledgeLookup(o: { db: Db; knowledge: KnowledgeService }, taskId: string, repoPath: string, limit = 5): KnowledgeLookup {
  const repo = repositoryKey(repoPath);
  return async (query) => (await o.knowledge.rank(query, limit, taskId, repo)).map((h) => passageOf(o.db, h));
}

function passageOf(db: Db, h: KnowledgeHit): KnowledgePassage {
  const origin = originOf(db, h);
  return { source: h.source, location: h.location, title: h.title, text: h.text, ...(origin ? { origin } : {}) };
}

function originOf(db: Db, h: KnowledgeHit): ClaimSource | undefined {
  const entity = getEntity(db, h.entityId);
  if (!entity) return undefined;
  if (entity.repo) return { source: 'repository', path: relative(entity.repo, entity.source).split(sep).join('/'), sha256: entity.sha256 };
  if (entity.task_id) return { source: 'attachment', path: entity.title, sha256: entity.sha256 };
  return { source: 'knowledge', path: entity.source, sha256: entity.sha256 };
}
