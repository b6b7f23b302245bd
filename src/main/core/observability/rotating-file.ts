import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';

export type RotatingFileOptions = { file: string; maxBytes: number; keep: number };

/**
 * A size-bounded log file: when the next line would take it over `maxBytes`, it becomes `file.1`
 * (the older ones shift to `.2` … `.keep`, the oldest is dropped) and a new file starts. Lines are
 * written whole and synchronously, so a crash loses at most the line being written, and the data
 * folder never holds more than (keep + 1) × maxBytes of logs. Files are created 0600.
 */
export class RotatingFile extends Writable {
  private fd: number;
  private size: number;

  constructor(private readonly o: RotatingFileOptions) {
    super({ decodeStrings: true });
    mkdirSync(dirname(o.file), { recursive: true, mode: 0o700 });
    this.fd = openSync(o.file, 'a', 0o600);
    this.size = existsSync(o.file) ? statSync(o.file).size : 0;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    try {
      this.writeLine(chunk);
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  writeLine(chunk: Buffer): void {
    if (this.size > 0 && this.size + chunk.length > this.o.maxBytes) this.rotate();
    writeSync(this.fd, chunk);
    this.size += chunk.length;
  }

  override _final(done: (e?: Error | null) => void): void {
    closeSync(this.fd);
    done();
  }

  private rotate(): void {
    closeSync(this.fd);
    rmSync(`${this.o.file}.${this.o.keep}`, { force: true });
    for (let i = this.o.keep - 1; i >= 1; i--) if (existsSync(`${this.o.file}.${i}`)) renameSync(`${this.o.file}.${i}`, `${this.o.file}.${i + 1}`);
    if (this.o.keep >= 1) renameSync(this.o.file, `${this.o.file}.1`);
    else rmSync(this.o.file, { force: true });
    this.fd = openSync(this.o.file, 'a', 0o600);
    this.size = 0;
  }
}
