import { sql as m0001 } from './0001_init';

export type Migration = { version: number; name: string; sql: string };

/** Ordered; a migration's version is its position. Never edit one that has shipped: add the next. */
export const MIGRATIONS: readonly Migration[] = [{ version: 1, name: 'init', sql: m0001 }];
