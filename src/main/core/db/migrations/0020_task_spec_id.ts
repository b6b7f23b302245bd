/** A task may run against a spec the repository already has (execute --spec ID). */
export const sql = `
ALTER TABLE tasks ADD COLUMN spec_id TEXT;
`;
