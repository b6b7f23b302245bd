import type { ChannelInput, ChannelName, ChannelOutput } from '../../shared/contract';
import type { AgentEvent } from '../../shared/domain/events';
import type { AppError, Result } from '../../shared/errors';

export type Subscription = {
  /** Stops following; pending callbacks are dropped. */
  close(): void;
};

/**
 * The core as a command sees it, wherever it runs: a running instance over the REST API, or a core
 * opened in this process. Both answer with the contract's Result values, so each command is
 * written once.
 */
export interface AgencyClient {
  readonly kind: 'remote' | 'in-process';
  /** Where the core is, for humans: `http://127.0.0.1:4317` or the data folder. */
  readonly location: string;
  /**
   * Whether tasks submitted through this client run: known in this process (an engine was built),
   * undefined for a remote instance (it decides; the REST API does not say).
   */
  readonly runsTasks: boolean | undefined;
  /** Whether this version carries the channel (and, remotely, the REST API serves it). */
  has(channel: string): boolean;
  call<C extends ChannelName>(channel: C, input: ChannelInput<C>): Promise<Result<ChannelOutput<C>>>;
  /**
   * A call by name, for channels whose schemas exist in src/shared but that the contract may not
   * carry in this build; the caller parses the value with the shared schema. Check `has` first.
   */
  callByName(channel: string, input: unknown): Promise<Result<unknown>>;
  /**
   * Follows events (one task's, or all) after a sequence number: the backlog first, then live
   * ones, each once and in order. A dropped connection is resumed from the last event received.
   */
  follow(
    filter: { taskId?: string; afterSeq?: number },
    onEvent: (event: AgentEvent) => void,
    /** Called once if the events can no longer be followed (the instance went away for good). */
    onLost?: (error: AppError) => void,
  ): Promise<Result<Subscription>>;
  close(): Promise<void>;
}
