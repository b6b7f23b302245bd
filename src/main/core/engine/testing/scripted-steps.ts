import { AppFailure } from '../../../../shared/errors';
import type { StepName } from '../phases';
import type { AwaitApproval, CleanupContext, PlanOutcome, ReviewOutcome, StepContext, StepSet, VerifyOutcome, WorkOutcome } from '../step';

/**
 * Steps whose behaviour a test (or an end-to-end spec) writes down: how long each takes, what it
 * returns, what it does on the way. They stand in for the real planner, council, worker and gates,
 * which later issues build; nothing in the app's composition roots uses them.
 */

type Outcomes = {
  plan: PlanOutcome;
  reviewPlan: ReviewOutcome;
  execute: WorkOutcome;
  verify: VerifyOutcome;
  reviewChange: ReviewOutcome;
  apply: WorkOutcome;
};

export type StepScript = { [K in StepName]?: (ctx: StepContext) => Promise<Outcomes[K] | AwaitApproval> };

export type StepCall = {
  step: StepName;
  taskId: string;
  attempt: number;
  round: number;
  guidance: string[];
  startedAt: number;
  /** Set when the step saw its signal abort. */
  abortedAt?: number;
  settledAt?: number;
};

export type ScriptedStepsOptions = {
  /** How long each step takes by default; it honours its abort signal while it waits. */
  delayMs?: number | Partial<Record<StepName, number>>;
  script?: StepScript;
  cleanup?: (ctx: CleanupContext) => Promise<void>;
};

export const DEFAULT_OUTCOMES: Outcomes = {
  plan: { spec: 'id: FEAT-1\ntitle: scripted plan\n', summary: 'scripted plan' },
  reviewPlan: { decision: 'accept', summary: 'plan accepted' },
  execute: { summary: 'change made' },
  verify: { passed: true, summary: 'all gates pass' },
  reviewChange: { decision: 'accept', summary: 'change accepted' },
  apply: { summary: 'applied' },
};

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new AppFailure('cancelled', 'aborted');
}

export class ScriptedSteps implements StepSet {
  readonly calls: StepCall[] = [];
  readonly cleanups: string[] = [];
  private readonly options: ScriptedStepsOptions;
  cleanup?: (ctx: CleanupContext) => Promise<void>;

  constructor(options: ScriptedStepsOptions = {}) {
    this.options = options;
    if (options.cleanup) {
      const clean = options.cleanup;
      this.cleanup = async (ctx) => {
        this.cleanups.push(ctx.taskId);
        await clean(ctx);
      };
    }
  }

  callsOf(step: StepName, taskId?: string): StepCall[] {
    return this.calls.filter((c) => c.step === step && (taskId === undefined || c.taskId === taskId));
  }

  plan(ctx: StepContext) {
    return this.run('plan', ctx);
  }
  reviewPlan(ctx: StepContext) {
    return this.run('reviewPlan', ctx);
  }
  execute(ctx: StepContext) {
    return this.run('execute', ctx);
  }
  verify(ctx: StepContext) {
    return this.run('verify', ctx);
  }
  reviewChange(ctx: StepContext) {
    return this.run('reviewChange', ctx);
  }
  apply(ctx: StepContext) {
    return this.run('apply', ctx);
  }

  private async run<K extends StepName>(step: K, ctx: StepContext): Promise<Outcomes[K] | AwaitApproval> {
    const call: StepCall = {
      step,
      taskId: ctx.taskId,
      attempt: ctx.attempt,
      round: ctx.round,
      guidance: ctx.guidance.map((g) => g.text),
      startedAt: Date.now(),
    };
    this.calls.push(call);
    ctx.signal.addEventListener('abort', () => (call.abortedAt = Date.now()), { once: true });
    try {
      const scripted = this.options.script?.[step] as ((c: StepContext) => Promise<Outcomes[K] | AwaitApproval>) | undefined;
      if (scripted) return await scripted(ctx);
      const delay = typeof this.options.delayMs === 'number' ? this.options.delayMs : (this.options.delayMs?.[step] ?? 0);
      if (delay > 0) await sleep(delay, ctx.signal);
      return DEFAULT_OUTCOMES[step];
    } finally {
      call.settledAt = Date.now();
    }
  }
}
