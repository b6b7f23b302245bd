import { chmod, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * When the app runs as root the command runs as `nobody` (see bwrap-args), which must still be able
 * to write the workspace. Folders get a+rwx and files a+rw, except the read-only entries (`.git`).
 * The workspace lives in the app's 0700 data folder, so no other host user can reach it; inside the
 * sandbox the data folder is masked and the workspace bound on top. Symbolic links are never
 * followed.
 */
export async function openWorkspaceTo(workspaceDir: string, skip: readonly string[]): Promise<void> {
  const skipped = new Set(skip.map((s) => join(workspaceDir, s)));
  const visit = async (path: string): Promise<void> => {
    if (skipped.has(path)) return;
    const st = await lstat(path).catch(() => undefined);
    if (!st || st.isSymbolicLink()) return;
    if (st.isDirectory()) {
      if ((st.mode & 0o777) !== 0o777) await chmod(path, 0o777).catch(() => undefined);
      const entries = await readdir(path).catch(() => [] as string[]);
      for (const e of entries) await visit(join(path, e));
    } else if (st.isFile()) {
      const wanted = st.mode & 0o111 ? 0o777 : 0o666;
      if ((st.mode & 0o777) !== wanted) await chmod(path, wanted).catch(() => undefined);
    }
  };
  await visit(workspaceDir);
}
