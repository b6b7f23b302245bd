import { z } from 'zod';

/**
 * A changeset: file edits applied all-or-nothing. Every edit states what it expects to find
 * (`expectedSha256` of the current content, or null for "must not exist"), so an edit made by anyone
 * else since the proposer looked is a conflict rather than something silently overwritten.
 */
const sha = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex sha256');
// Length and content are judged by the path rules, which name the rule a bad path breaks.
const path = z.string().max(65_536);

export const HunkSchema = z.strictObject({
  oldStart: z.number().int().min(0).max(10_000_000),
  lines: z.array(z.string().max(100_000)).max(100_000),
});

export const FileEditSchema = z.discriminatedUnion('op', [
  z.strictObject({
    op: z.literal('write'),
    path,
    content: z.string(),
    encoding: z.enum(['utf8', 'base64']).optional(),
    expectedSha256: sha.nullable(),
  }),
  z.strictObject({ op: z.literal('patch'), path, hunks: z.array(HunkSchema).min(1).max(1000), expectedSha256: sha }),
  z.strictObject({ op: z.literal('delete'), path, expectedSha256: sha }),
  z.strictObject({ op: z.literal('rename'), path, to: path, expectedSha256: sha }),
]);
export type FileEdit = z.infer<typeof FileEditSchema>;

export const ChangesetSchema = z.strictObject({
  edits: z.array(FileEditSchema).max(1000),
});
export type Changeset = z.infer<typeof ChangesetSchema>;

/** The paths an edit touches (a rename touches two). */
export function editPaths(edit: FileEdit): string[] {
  return edit.op === 'rename' ? [edit.path, edit.to] : [edit.path];
}
