/** One quality gate's outcome, as the council, the worker loop, the UI and the audit bundle see it. */
export type GateStatus = 'pass' | 'fail' | 'warn' | 'skip';
export type GateMode = 'block' | 'warn' | 'skip';

export type GateResult = {
  gate: string;
  status: GateStatus;
  mode: GateMode;
  /** 0..1, where the gate can grade (coverage, share of tests passing); 1 or 0 otherwise. */
  score: number;
  details: string;
  durationMs: number;
  /** Waiver that let this gate pass, when one did. */
  waiverId?: string;
};

export type GateContext = {
  taskId: string;
  /** The task's isolated workspace (never the user's repository). */
  workspaceDir: string;
  riskTier: 1 | 2 | 3;
  /** The change under review: paths relative to the workspace and lines added + removed. */
  changedFiles: { path: string; linesAdded: number; linesRemoved: number }[];
  signal?: AbortSignal;
};

export interface GateRunner {
  run(context: GateContext): Promise<GateResult[]>;
}
