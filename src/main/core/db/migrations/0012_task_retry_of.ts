/**
 * A retried (or edited and resubmitted) task names the task it retries, so each can link to the other.
 * The tasks table is STRICT; an added nullable column keeps it so.
 */
export const sql = /* sql */ `
ALTER TABLE tasks ADD COLUMN retry_of TEXT REFERENCES tasks(id);
CREATE INDEX tasks_retry_of ON tasks(retry_of) WHERE retry_of IS NOT NULL;
`;
