import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { constants as C, link, lstat, mkdir, open, readdir, readFile, realpath, rename, rmdir, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256 } from './hash';
import { foldName } from './path-rules';
import { violation, type Violation } from './violations';

/**
 * File operations confined to one folder tree, safe against symbolic links and against a folder being
 * swapped for a link between a check and a write.
 *
 * Node has no openat/renameat, so two strategies stand in for them:
 * - `procfd` (Linux): each folder is opened component by component with O_NOFOLLOW, and entries are
 *   reached through `/proc/self/fd/<fd>/<name>`, which the kernel resolves to the folder the
 *   descriptor holds, whatever the path now points to. A swap cannot redirect a write.
 * - `verify` (elsewhere): every folder on the way is lstat'ed (no links, same device and inode as when
 *   checked) immediately before and after each operation; new content is staged outside the tree and
 *   moved in, and a move that the after-check shows went astray is moved back out. A swap can at
 *   worst place a file outside for the instant between the move and the check.
 * Either way the final name is never followed: content is renamed or linked into place, which replaces
 * a link rather than writing through it.
 */
export type SafeFsStrategy = 'procfd' | 'verify';

export type SafeFsHooks = {
  /** Called right before an entry is replaced, created or removed (tests use it to race the writer). */
  beforeEntryChange?: (rel: string) => void | Promise<void>;
};

export type Identity = { dev: number; ino: number };

export type EntryState =
  | { kind: 'missing' }
  | { kind: 'file'; id: Identity; mode: number; size: number }
  | { kind: 'dir' | 'symlink' | 'other'; id: Identity };

export class SafeFsError extends Error {
  constructor(
    readonly kind: 'violation' | 'conflict' | 'io',
    message: string,
    readonly violation?: Violation,
  ) {
    super(message);
    this.name = 'SafeFsError';
  }
}

export const defaultStrategy = (): SafeFsStrategy => (process.platform === 'linux' && existsSync('/proc/self/fd') ? 'procfd' : 'verify');

export interface DirHandle {
  /** Relative path of the folder ('' for the root). */
  readonly rel: string;
  readonly id: Identity;
  /** Path to use for a system call on an entry of this folder. */
  entryPath(name: string): string;
  /** Whether `rel` still leads, without links, to this very folder. */
  stillInPlace(): Promise<boolean>;
  close(): Promise<void>;
}

const errno = (e: unknown) => (e as NodeJS.ErrnoException).code;
const identityOf = (s: { dev: number; ino: number }): Identity => ({ dev: s.dev, ino: s.ino });
const sameId = (a: Identity, b: Identity) => a.dev === b.dev && a.ino === b.ino;
const DIR_FLAGS = C.O_RDONLY | C.O_DIRECTORY | C.O_NOFOLLOW;

export class SafeTree {
  private constructor(
    readonly root: string,
    readonly stagingDir: string,
    readonly strategy: SafeFsStrategy,
    private readonly rootId: Identity,
    private readonly hooks: SafeFsHooks,
  ) {}

  /** `stagingDir` must be on the same file system as `root` and outside it. */
  static async open(options: { root: string; stagingDir: string; strategy?: SafeFsStrategy; hooks?: SafeFsHooks }): Promise<SafeTree> {
    const root = await realpath(options.root);
    await mkdir(options.stagingDir, { recursive: true });
    const stagingDir = await realpath(options.stagingDir);
    if (stagingDir === root || stagingDir.startsWith(`${root}/`)) {
      throw new SafeFsError('io', 'the staging folder must be outside the workspace tree');
    }
    const st = await lstat(root);
    if (!st.isDirectory()) throw new SafeFsError('io', `${root} is not a folder`);
    return new SafeTree(root, stagingDir, options.strategy ?? defaultStrategy(), identityOf(st), options.hooks ?? {});
  }

  /**
   * Opens the folder `segments` names, refusing links and non-folders on the way; with `create`,
   * makes missing folders and reports them in `created` (relative paths, outermost first).
   * Returns null when a folder is missing and `create` is off.
   */
  async openDir(segments: readonly string[], options: { create: boolean; created?: string[] }): Promise<DirHandle | null> {
    return this.strategy === 'procfd' ? this.openDirProc(segments, options) : this.openDirVerify(segments, options);
  }

  private async openDirProc(segments: readonly string[], options: { create: boolean; created?: string[] }): Promise<DirHandle | null> {
    let fh: FileHandle = await open(this.root, DIR_FLAGS);
    try {
      if (!sameId(identityOf(await fh.stat()), this.rootId)) throw new SafeFsError('conflict', 'the workspace folder was replaced');
      for (let i = 0; i < segments.length; i++) {
        const name = segments[i]!;
        const rel = segments.slice(0, i + 1).join('/');
        const here = `/proc/self/fd/${fh.fd}`;
        const next = await this.openChild(here, `${here}/${name}`, name, rel, options);
        if (!next) {
          await fh.close();
          return null;
        }
        await fh.close();
        fh = next;
      }
    } catch (e) {
      await fh.close().catch(() => undefined);
      throw e;
    }
    const held = fh;
    const id = identityOf(await held.stat());
    const rel = segments.join('/');
    return {
      rel,
      id,
      entryPath: (name) => `/proc/self/fd/${held.fd}/${name}`,
      stillInPlace: async () => {
        try {
          const again = await this.openDirProc(segments, { create: false });
          if (!again) return false;
          const ok = sameId(again.id, id);
          await again.close();
          return ok;
        } catch {
          return false;
        }
      },
      close: () => held.close().catch(() => undefined),
    };
  }

  private async openChild(
    parentPath: string,
    childPath: string,
    name: string,
    rel: string,
    options: { create: boolean; created?: string[] },
  ): Promise<FileHandle | null> {
    await this.checkCase(parentPath, name, rel);
    try {
      return await open(childPath, DIR_FLAGS);
    } catch (e) {
      const code = errno(e);
      if (code === 'ENOENT') {
        if (!options.create) return null;
        await mkdir(childPath);
        options.created?.push(rel);
        return open(childPath, DIR_FLAGS);
      }
      if (code === 'ELOOP' || code === 'ENOTDIR' || code === 'EMLINK') throw await this.notAFolder(childPath, rel);
      throw e;
    }
  }

  private async notAFolder(path: string, rel: string): Promise<SafeFsError> {
    const st = await lstat(path).catch(() => null);
    if (st?.isSymbolicLink()) {
      const v = violation('path.symlink', `${rel} is a symbolic link; workers never write through links`, rel);
      return new SafeFsError('violation', v.message, v);
    }
    const v = violation('path.not-a-directory', `${rel} is not a folder`, rel);
    return new SafeFsError('violation', v.message, v);
  }

  /** Refuses `name` when it differs only by case or Unicode form from an entry of `dir`. */
  async checkName(dir: DirHandle, name: string, rel: string): Promise<void> {
    await this.checkCase(dir.entryPath('.'), name, rel);
  }

  /** A name that differs from an existing entry only by case or Unicode form is a trick, not a new file. */
  private async checkCase(dirPath: string, name: string, rel: string): Promise<void> {
    const names = await readdir(dirPath);
    if (names.includes(name)) return;
    const folded = foldName(name);
    const clash = names.find((n) => foldName(n) === folded);
    if (clash !== undefined) {
      const v = violation('path.case-collision', `${rel} differs only by case or Unicode form from the existing "${clash}"`, rel);
      throw new SafeFsError('violation', v.message, v);
    }
  }

  private async openDirVerify(segments: readonly string[], options: { create: boolean; created?: string[] }): Promise<DirHandle | null> {
    const chain: { path: string; id: Identity }[] = [{ path: this.root, id: this.rootId }];
    const rootNow = await lstat(this.root);
    if (!rootNow.isDirectory() || !sameId(identityOf(rootNow), this.rootId)) throw new SafeFsError('conflict', 'the workspace folder was replaced');
    let current = this.root;
    for (let i = 0; i < segments.length; i++) {
      const name = segments[i]!;
      const rel = segments.slice(0, i + 1).join('/');
      await this.checkCase(current, name, rel);
      const path = join(current, name);
      let st = await lstat(path).catch((e: unknown) => {
        if (errno(e) === 'ENOENT') return null;
        throw e;
      });
      if (!st) {
        if (!options.create) return null;
        if (!(await verifyChain(chain))) throw new SafeFsError('conflict', `a folder above ${rel} changed while it was being written`);
        await mkdir(path);
        options.created?.push(rel);
        st = await lstat(path);
        if (!(await verifyChain(chain))) {
          await rmdir(path).catch(() => undefined);
          throw new SafeFsError('conflict', `a folder above ${rel} changed while it was being written`);
        }
      }
      if (st.isSymbolicLink() || !st.isDirectory()) throw await this.notAFolder(path, rel);
      chain.push({ path, id: identityOf(st) });
      current = path;
    }
    const id = chain[chain.length - 1]!.id;
    return {
      rel: segments.join('/'),
      id,
      entryPath: (name) => join(current, name),
      stillInPlace: () => verifyChain(chain),
      close: async () => undefined,
    };
  }

  async stat(dir: DirHandle, name: string): Promise<EntryState> {
    try {
      const st = await lstat(dir.entryPath(name));
      const id = identityOf(st);
      if (st.isSymbolicLink()) return { kind: 'symlink', id };
      if (st.isDirectory()) return { kind: 'dir', id };
      if (st.isFile()) return { kind: 'file', id, mode: st.mode & 0o7777, size: st.size };
      return { kind: 'other', id };
    } catch (e) {
      if (errno(e) === 'ENOENT') return { kind: 'missing' };
      throw e;
    }
  }

  /** Reads a regular file without following a link at its name; null when it does not exist. */
  async read(dir: DirHandle, name: string, rel: string): Promise<{ data: Buffer; state: EntryState & { kind: 'file' } } | null> {
    await this.checkCase(dir.entryPath('.'), name, rel);
    let fh: FileHandle;
    try {
      fh = await open(dir.entryPath(name), C.O_RDONLY | C.O_NOFOLLOW | C.O_NONBLOCK);
    } catch (e) {
      const code = errno(e);
      if (code === 'ENOENT') return null;
      if (code === 'ELOOP' || code === 'EMLINK') {
        const v = violation('path.symlink', `${rel} is a symbolic link; workers never read or write through links`, rel);
        throw new SafeFsError('violation', v.message, v);
      }
      throw e;
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) {
        const v = violation('path.not-a-file', `${rel} is not a regular file`, rel);
        throw new SafeFsError('violation', v.message, v);
      }
      const data = await fh.readFile();
      if (!(await dir.stillInPlace())) throw new SafeFsError('conflict', `a folder above ${rel} changed while it was being read`);
      return { data, state: { kind: 'file', id: identityOf(st), mode: st.mode & 0o7777, size: st.size } };
    } finally {
      await fh.close();
    }
  }

  /**
   * Puts `data` at `name`, provided the entry is still what `expect` says (missing, or the same file).
   * Returns the identity of the new file.
   */
  async place(dir: DirHandle, name: string, rel: string, data: Uint8Array, mode: number, expect: EntryState, expectSha256?: string): Promise<Identity> {
    const temp = join(this.stagingDir, `w-${randomBytes(8).toString('hex')}`);
    const fh = await open(temp, C.O_CREAT | C.O_EXCL | C.O_WRONLY | C.O_NOFOLLOW, mode & 0o777);
    let tempId: Identity;
    try {
      await fh.writeFile(data);
      await fh.chmod(mode & 0o7777);
      tempId = identityOf(await fh.stat());
    } finally {
      await fh.close();
    }
    let parked: string | null = null;
    try {
      await this.expectUnchanged(dir, name, rel, expect);
      await this.hooks.beforeEntryChange?.(rel);
      const target = dir.entryPath(name);
      if (expect.kind !== 'missing') {
        // The old file is moved aside rather than renamed over: if a swapped folder sent the move
        // somewhere else, what was taken is identified and put back intact.
        parked = await this.park(dir, target, rel, expect, expectSha256);
      }
      try {
        // link() refuses an existing name: a file that appeared meanwhile is a conflict, not overwritten.
        await link(temp, target);
      } catch (e) {
        if (errno(e) === 'EEXIST') {
          throw new SafeFsError('conflict', `${rel} appeared while the change was being applied${parked ? `; its previous content is kept at ${parked}` : ''}`);
        }
        if (parked) await rename(parked, target).catch(() => undefined);
        parked = null;
        throw e;
      }
      if (!(await dir.stillInPlace())) {
        await this.retract(target, tempId);
        if (parked) await rename(parked, target).catch(() => undefined);
        parked = null;
        throw new SafeFsError('conflict', `a folder above ${rel} changed while it was being written; the write was withdrawn`);
      }
      if (parked) await unlink(parked).catch(() => undefined);
      parked = null;
      return tempId;
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  /** Moves the entry at `target` into staging, provided it is the file `expect` names and nothing moved. */
  private async park(dir: DirHandle, target: string, rel: string, expect: EntryState, expectSha256?: string): Promise<string> {
    const parked = join(this.stagingDir, `p-${randomBytes(8).toString('hex')}`);
    await rename(target, parked);
    const st = await lstat(parked);
    const intact = await dir.stillInPlace();
    // Once parked, nobody else can write the file by its path: its content is checked here, so an
    // in-place edit made since it was read is caught too.
    const sameKind = expect.kind === 'file' ? st.isFile() : expect.kind === 'symlink' ? st.isSymbolicLink() : false;
    const content = sameKind && (expectSha256 === undefined || !st.isFile() || sha256(await readFile(parked)) === expectSha256);
    if (!intact || expect.kind === 'missing' || !sameId(identityOf(st), expect.id) || !content) {
      // Whatever was taken is not what was checked: put it back where it came from.
      await rename(parked, target).catch(() => undefined);
      throw new SafeFsError('conflict', `${rel} or a folder above it changed while the change was being applied`);
    }
    return parked;
  }

  /** Removes the file at `name` if it is still what `expect` says; moved out first, so a mistake can be undone. */
  async remove(dir: DirHandle, name: string, rel: string, expect: EntryState, expectSha256?: string): Promise<void> {
    await this.expectUnchanged(dir, name, rel, expect);
    await this.hooks.beforeEntryChange?.(rel);
    const parked = await this.park(dir, dir.entryPath(name), rel, expect, expectSha256);
    await unlink(parked);
  }

  /** Removes an empty folder this tree created (rollback); a non-empty one is left alone. */
  async removeEmptyDir(segments: readonly string[]): Promise<void> {
    if (segments.length === 0) return;
    const parent = await this.openDir(segments.slice(0, -1), { create: false });
    if (!parent) return;
    try {
      const name = segments[segments.length - 1]!;
      const state = await this.stat(parent, name);
      if (state.kind !== 'dir') return;
      await rmdir(parent.entryPath(name)).catch(() => undefined);
    } finally {
      await parent.close();
    }
  }

  private async expectUnchanged(dir: DirHandle, name: string, rel: string, expect: EntryState): Promise<void> {
    if (!(await dir.stillInPlace())) throw new SafeFsError('conflict', `a folder above ${rel} changed while the change was being applied`);
    const now = await this.stat(dir, name);
    const same =
      now.kind === expect.kind && (now.kind === 'missing' || (expect.kind !== 'missing' && sameId(now.id, expect.id)));
    if (!same) throw new SafeFsError('conflict', `${rel} changed while the change was being applied`);
  }

  /** Takes back a file that a swapped folder sent elsewhere; only if it is the very file just written. */
  private async retract(target: string, id: Identity): Promise<void> {
    const st = await lstat(target).catch(() => null);
    if (st && sameId(identityOf(st), id)) await unlink(target).catch(() => undefined);
  }
}

async function verifyChain(chain: readonly { path: string; id: Identity }[]): Promise<boolean> {
  for (const link of chain) {
    const st = await lstat(link.path).catch(() => null);
    if (!st || st.isSymbolicLink() || !st.isDirectory() || !sameId(identityOf(st), link.id)) return false;
  }
  return true;
}
