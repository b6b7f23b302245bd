import { channels, type ChannelName } from '../../../shared/contract';
import type { AgentEvent } from '../../../shared/domain/events';
import { AppFailure, describeZodError, err, ok, type Result } from '../../../shared/errors';
import type { Core } from '../core';
import { taskHandlers } from './handlers/tasks';
import { accessHandlers } from './handlers/access';
import { interventionHandlers } from './handlers/intervention';
import { explorerHandlers } from './handlers/explorer';
import { metricsHandlers } from './handlers/metrics';
import { settingsHandlers } from './handlers/settings';
import { schedulerHandlers } from './handlers/scheduler';
import { provenanceHandlers } from './handlers/provenance';
import { toolHandlers } from './handlers/tools';
import { governanceHandlers } from './handlers/governance';
import { modelHandlers } from './handlers/models';
import { changeHandlers } from './handlers/changes';
import { taskActionHandlers } from './handlers/task-actions';
import { discoveryHandlers } from './handlers/discovery';
import { calibrationHandlers } from './handlers/calibration';
import { sloHandlers } from './handlers/slo';
import { logHandlers } from './handlers/logs';
import { knowledgeHandlers } from './handlers/knowledge';
import { NON_HUMAN_CHANNEL, type AreaHandlers, type SessionChannel, type SessionContext } from './handlers/types';

/**
 * One connected client of the contract (a window, a WebSocket). Transports hand it raw input and
 * a way to push events; it parses every input with the contract's schema and answers with data.
 */
export class ContractSession {
  private unsubscribe: (() => void) | undefined;
  private readonly handlers: AreaHandlers<ChannelName>;

  constructor(
    private readonly core: Core,
    push: (event: AgentEvent) => void,
    channel: SessionChannel = NON_HUMAN_CHANNEL,
  ) {
    const ctx: SessionContext = {
      core,
      channel,
      push,
      setSubscription: (unsubscribe) => {
        this.unsubscribe?.();
        this.unsubscribe = unsubscribe;
      },
    };
    // Each area contributes the handlers of its own channels.
    this.handlers = {
      ...taskHandlers(ctx),
      ...accessHandlers(ctx),
      ...interventionHandlers(ctx),
      ...explorerHandlers(ctx),
      ...metricsHandlers(ctx),
      ...settingsHandlers(ctx),
      ...schedulerHandlers(ctx),
      ...provenanceHandlers(ctx),
      ...toolHandlers(ctx),
      ...governanceHandlers(ctx),
      ...modelHandlers(ctx),
      ...changeHandlers(ctx),
      ...taskActionHandlers(ctx),
      ...discoveryHandlers(ctx),
      ...calibrationHandlers(ctx),
      ...sloHandlers(ctx),
      ...logHandlers(ctx),
      ...knowledgeHandlers(ctx),
    };
  }

  async call(channel: string, rawInput: unknown): Promise<Result<unknown>> {
    if (!Object.hasOwn(channels, channel)) return err('invalid_input', `unknown channel ${JSON.stringify(channel)}`);
    const name = channel as ChannelName;
    const parsed = channels[name].input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      const { message, issues } = describeZodError(parsed.error);
      return err('invalid_input', message, issues);
    }
    try {
      const handler = this.handlers[name] as (input: unknown) => unknown;
      return ok(await handler(parsed.data));
    } catch (e) {
      if (e instanceof AppFailure) return { ok: false, error: e.toError() };
      this.core.logger.error({ err: e, channel }, 'contract call failed');
      return err('internal', 'internal error; see the app log');
    }
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }
}
