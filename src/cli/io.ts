/** Where a command writes; a seam so the formatting can be tested without a process. */
export type Io = {
  out(text: string): void;
  err(text: string): void;
  /** Whether stdout is a terminal (live redraws, colours, prompts). */
  readonly isTTY: boolean;
  readonly columns: number;
};

export const processIo: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  get isTTY() {
    return Boolean(process.stdout.isTTY) && process.env['TERM'] !== 'dumb';
  },
  get columns() {
    return process.stdout.columns || 100;
  },
};
