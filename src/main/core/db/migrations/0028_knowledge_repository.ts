/**
 * The target repository's docs and specs in the knowledge base (issue 21): an entity read from a
 * repository names that repository's root in `repo`, and is searched only for tasks on it (as a
 * task's attachments are searched only for that task). One entity per file: a changed file replaces
 * the entity and its chunks.
 */
export const sql = /* sql */ `
ALTER TABLE external_knowledge_entities ADD COLUMN repo TEXT;
CREATE INDEX external_knowledge_entities_repo ON external_knowledge_entities(repo, source);
`;
