import { sep } from 'node:path';

/**
 * Native files packed by electron-builder live in `app.asar.unpacked`, but module resolution
 * reports them inside `app.asar`. Node's own loader redirects `.node` files; SQLite's loadExtension
 * (a plain dlopen) does not, so paths handed to it must point at the unpacked copy.
 */
export function unpackedPath(path: string): string {
  const packed = `${sep}app.asar${sep}`;
  return path.includes(packed) ? path.replace(packed, `${sep}app.asar.unpacked${sep}`) : path;
}
