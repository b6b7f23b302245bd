import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { AppFailure } from '../../../shared/errors';
import type { Clock } from '../journal/journal';
import type { Logger } from '../observability/logger';
import { signJws } from './jws';

/** An Ed25519 public key as a JWK (RFC 8037). */
export const PublicJwk = z.strictObject({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a base64url Ed25519 public key'),
});
export type PublicJwk = z.infer<typeof PublicJwk>;

const PrivateJwk = PublicJwk.extend({ d: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });

/** One key this installation has signed with. `endorsement` is the previous key's signature over it. */
export const KeyRecord = z.strictObject({
  kid: z.string().min(1),
  publicJwk: PublicJwk,
  createdAt: z.number().int(),
  retiredAt: z.number().int().nullable(),
  endorsement: z.string().nullable(),
});
export type KeyRecord = z.infer<typeof KeyRecord>;

const KeyHistory = z.strictObject({ version: z.literal(1), keys: z.array(KeyRecord).min(1) });
type KeyHistory = z.infer<typeof KeyHistory>;

/** What the previous key signs when a new one takes over, so trust carries across a rotation. */
export type KeyRotationStatement = {
  typ: 'agent-agency/key-rotation';
  previousKid: string;
  kid: string;
  publicJwk: PublicJwk;
  rotatedAt: number;
};

/** RFC 7638 thumbprint of an Ed25519 JWK: the key's id everywhere (JWS `kid`, bundles, files). */
export function jwkThumbprint(jwk: PublicJwk): string {
  const members = `{"crv":"${jwk.crv}","kty":"${jwk.kty}","x":"${jwk.x}"}`;
  return createHash('sha256').update(members).digest('base64url');
}

export type KeyStoreOptions = { dir: string; clock: Clock; logger: Logger };

/**
 * The installation's signing keys, kept in `<data>/keys`: `history.json` lists every public key with
 * its id and lifetime (never shrinks, so old signatures stay verifiable after a rotation), and the
 * current private key sits beside it in a file only the user can read (0600). Retired private keys
 * are deleted: after a rotation nothing can sign with them again.
 */
export class KeyStore {
  readonly dir: string;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private history: KeyHistory;
  private loaded: { kid: string; key: KeyObject } | undefined;

  constructor(options: KeyStoreOptions) {
    this.dir = options.dir;
    this.clock = options.clock;
    this.logger = options.logger;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.history = this.readHistory() ?? this.createFirstKey();
  }

  /** Every key ever used, oldest first. */
  keys(): KeyRecord[] {
    return this.history.keys.map((k) => ({ ...k, publicJwk: { ...k.publicJwk } }));
  }

  current(): KeyRecord {
    return this.history.keys[this.history.keys.length - 1]!;
  }

  find(kid: string): KeyRecord | undefined {
    return this.history.keys.find((k) => k.kid === kid);
  }

  /** The current private key; refused with a clear message when its file is gone. */
  signingKey(): { kid: string; key: KeyObject } {
    const { kid } = this.current();
    if (this.loaded?.kid === kid) return this.loaded;
    const file = this.privateFile(kid);
    if (!existsSync(file)) {
      throw new AppFailure(
        'unavailable',
        `the signing key ${kid} is missing from ${this.dir}; restore it from a backup, or rotate to a new key (old signatures stay verifiable)`,
      );
    }
    if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
      this.logger.warn({ file }, 'signing key was readable by others; restricting it to the owner');
      chmodSync(file, 0o600);
    }
    const jwk = PrivateJwk.parse(JSON.parse(readFileSync(file, 'utf8')));
    const key = createPrivateKey({ key: jwk, format: 'jwk' });
    this.loaded = { kid, key };
    return this.loaded;
  }

  /**
   * Replaces the signing key. The old key signs a statement naming the new one (kept as the new
   * key's `endorsement`), then its private half is deleted; its public half stays in the history.
   */
  async rotate(): Promise<KeyRecord> {
    const previous = this.signingKey();
    const now = this.clock.now();
    const { record, privateJwk } = newKeyPair(now);
    const statement: KeyRotationStatement = {
      typ: 'agent-agency/key-rotation',
      previousKid: previous.kid,
      kid: record.kid,
      publicJwk: record.publicJwk,
      rotatedAt: now,
    };
    const endorsed: KeyRecord = { ...record, endorsement: await signJws(statement, previous.key, previous.kid) };
    writeSecret(this.privateFile(endorsed.kid), JSON.stringify(privateJwk));
    const keys = this.history.keys.map((k) => (k.kid === previous.kid ? { ...k, retiredAt: now } : k));
    const next: KeyHistory = { version: 1, keys: [...keys, endorsed] };
    writeAtomic(this.historyFile(), `${JSON.stringify(next, null, 2)}\n`);
    this.history = next;
    this.loaded = undefined;
    rmSync(this.privateFile(previous.kid), { force: true });
    this.logger.info({ from: previous.kid, to: endorsed.kid }, 'signing key rotated');
    return endorsed;
  }

  private historyFile(): string {
    return join(this.dir, 'history.json');
  }

  private privateFile(kid: string): string {
    return join(this.dir, `${kid}.private.jwk`);
  }

  private readHistory(): KeyHistory | undefined {
    const file = this.historyFile();
    if (!existsSync(file)) return undefined;
    const parsed = KeyHistory.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) throw new AppFailure('unavailable', `${file} is not a valid key history; it was left untouched`);
    return parsed.data;
  }

  /** First run. Two processes starting at once both try; the one whose history lands first wins. */
  private createFirstKey(): KeyHistory {
    const { record, privateJwk } = newKeyPair(this.clock.now());
    const history: KeyHistory = { version: 1, keys: [record] };
    writeSecret(this.privateFile(record.kid), JSON.stringify(privateJwk));
    try {
      writeFileSync(this.historyFile(), `${JSON.stringify(history, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      rmSync(this.privateFile(record.kid), { force: true });
      return this.readHistory()!;
    }
    this.logger.info({ kid: record.kid }, 'signing key created');
    return history;
  }
}

function newKeyPair(now: number): { record: KeyRecord; privateJwk: z.infer<typeof PrivateJwk> } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const privateJwk = PrivateJwk.parse(privateKey.export({ format: 'jwk' }));
  const publicJwk: PublicJwk = { kty: 'OKP', crv: 'Ed25519', x: privateJwk.x };
  return {
    record: { kid: jwkThumbprint(publicJwk), publicJwk, createdAt: now, retiredAt: null, endorsement: null },
    privateJwk,
  };
}

/** Created readable by the owner only, from the first byte (no window with wider permissions). */
function writeSecret(file: string, content: string): void {
  writeFileSync(file, content, { flag: 'wx', mode: 0o600 });
  if (process.platform !== 'win32') chmodSync(file, 0o600);
}

function writeAtomic(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  renameSync(tmp, file);
}
