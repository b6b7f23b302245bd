/**
 * Who approved a waiver, provably: the channel the approval came through (window, tray, CLI, API)
 * and the operating-system user the app ran as, beside the approver's name.
 */
export const sql = `
ALTER TABLE waivers ADD COLUMN approver_via TEXT;
ALTER TABLE waivers ADD COLUMN approver_os_user TEXT;
`;
