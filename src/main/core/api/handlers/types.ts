import type { z } from 'zod';
import type { ChannelOutput, Channels } from '../../../../shared/contract';
import type { AgentEvent } from '../../../../shared/domain/events';
import type { Core } from '../../core';

export type Handler<C extends keyof Channels> = (
  input: z.output<Channels[C]['input']>,
) => ChannelOutput<C> | Promise<ChannelOutput<C>>;

/**
 * Which transport a client came through, set by the transport itself (never by the client's
 * input): approvals that need a person check it. Unknown transports are not human.
 */
export type SessionChannel = { via: 'window' | 'menu-bar' | 'notification' | 'cli' | 'api' | 'mcp' | 'system'; human: boolean };
export const NON_HUMAN_CHANNEL: SessionChannel = { via: 'system', human: false };

/** What a handler knows of the client calling it. */
export type SessionContext = {
  core: Core;
  channel: SessionChannel;
  /** Pushes an event to this client. */
  push(event: AgentEvent): void;
  /** Replaces this client's live subscription (closing the previous one). */
  setSubscription(unsubscribe: (() => void) | undefined): void;
};

/** Handlers of one area, keyed by the area's channel names. */
export type AreaHandlers<Names extends keyof Channels> = { [C in Names]: Handler<C> };
