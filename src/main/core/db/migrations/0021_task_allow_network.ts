/**
 * A task may be granted outbound network for the commands it causes (gates, acceptance tests,
 * tools): off unless the user asked for it on submit. 1 = granted; NULL = not granted.
 */
export const sql = /* sql */ `
ALTER TABLE tasks ADD COLUMN allow_network INTEGER CHECK (allow_network IS NULL OR allow_network = 1);
`;
