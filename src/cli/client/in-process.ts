import { channels, type ChannelInput, type ChannelName, type ChannelOutput } from '../../shared/contract';
import type { AgentEvent } from '../../shared/domain/events';
import { AppFailure, ok, type Result } from '../../shared/errors';
import { ContractSession } from '../../main/core/api/session';
import { createCore, type Core } from '../../main/core/composition/app-core';
import { productionSteps } from '../../main/core/composition/production-steps';
import { createLogger } from '../../main/core/observability/logger';
import { followJournal } from '../../main/server/api/follow';
import type { AgencyClient, Subscription } from './types';

/**
 * The core opened in this process on the data folder, for when no instance is running. Calls go
 * through ContractSession exactly as the window's and the REST API's do.
 */
export class InProcessClient implements AgencyClient {
  readonly kind = 'in-process' as const;
  readonly location: string;
  private readonly session: ContractSession;
  private readonly follows = new Set<Subscription>();

  private constructor(
    private readonly core: Core,
  ) {
    this.location = core.dataDir;
    this.session = new ContractSession(core, () => undefined, { via: 'cli', human: true });
  }

  /**
   * With `engine`, the task engine runs here on the real steps (as in `serve` and the desktop app),
   * for commands that run or steer tasks; it stops when the command ends, and whatever it left
   * unfinished resumes the next time an engine starts on the data folder. Reading commands open
   * the core without it, so they never pick up queued work.
   */
  static open(dataDir: string, options: { engine?: boolean; command?: string } = {}): Result<InProcessClient> {
    // Logs go to stderr and only errors by default: the command's own output says what happened.
    const logger = createLogger({ level: process.env['AGENT_AGENCY_LOG_LEVEL'] ?? 'error' });
    if (!options.engine) return ok(new InProcessClient(createCore({ dataDir, logger })));
    try {
      // The core takes the data folder's engine lock, so a running serve or desktop app is never doubled.
      return ok(new InProcessClient(createCore({ dataDir, logger, steps: productionSteps, tools: { autoStart: true }, engine: { label: options.command ?? 'agent-agency' } })));
    } catch (e) {
      if (e instanceof AppFailure) return { ok: false, error: e.toError() };
      throw e;
    }
  }

  /** Over a core built elsewhere (tests give it scripted steps); closing the client closes it. */
  static over(core: Core): InProcessClient {
    return new InProcessClient(core);
  }

  get runsTasks(): boolean {
    return this.core.engine !== undefined;
  }

  has(channel: string): boolean {
    return Object.hasOwn(channels, channel);
  }

  call<C extends ChannelName>(channel: C, input: ChannelInput<C>): Promise<Result<ChannelOutput<C>>> {
    return this.session.call(channel, input) as Promise<Result<ChannelOutput<C>>>;
  }

  callByName(channel: string, input: unknown): Promise<Result<unknown>> {
    return this.session.call(channel, input);
  }

  async follow(filter: { taskId?: string; afterSeq?: number }, onEvent: (event: AgentEvent) => void): Promise<Result<Subscription>> {
    const follow = await followJournal(this.core, filter, onEvent);
    if (!follow.ok) return follow;
    const sub: Subscription = {
      close: () => {
        follow.value.close();
        this.follows.delete(sub);
      },
    };
    this.follows.add(sub);
    return { ok: true, value: sub };
  }

  async close(): Promise<void> {
    for (const f of [...this.follows]) f.close();
    this.session.close();
    this.core.close();
  }
}
