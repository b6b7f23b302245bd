import { z } from 'zod';
import type { AgentEvent } from './domain/events';
import type { Result } from './errors';
import { taskChannels } from './channels/tasks';
import { accessChannels } from './channels/access';
import { interventionChannels } from './channels/intervention';
import { explorerChannels } from './channels/explorer';
import { metricsChannels } from './channels/metrics';
import { settingsChannels } from './channels/settings';
import { schedulerChannels } from './channels/scheduler';
import { provenanceChannels } from './channels/provenance';
import { toolChannels } from './channels/tools';
import { governanceChannels } from './channels/governance';
import { modelChannels } from './channels/models';
import { changeChannels } from './channels/changes';
import { taskActionChannels } from './channels/task-actions';
import { discoveryChannels } from './channels/discovery';
import { calibrationChannels } from './channels/calibration';
import { sloChannels } from './channels/slo';
import { logChannels } from './channels/logs';
import { knowledgeChannels } from './channels/knowledge';
import { claimChannels } from './channels/claims';

export { ListTasksInput, GetTaskInput, TaskWithEvents, SubscribeInput, Snapshot } from './channels/tasks';

/**
 * The one contract between the page and the core. Every transport (Electron IPC, the headless
 * WebSocket) carries exactly these channels; inputs are parsed on the main side with these schemas.
 * Each area keeps its channels in `channels/<area>.ts`; this object merges them.
 */
export const channels = {
  ...accessChannels,
  ...taskChannels,
  ...interventionChannels,
  ...explorerChannels,
  ...metricsChannels,
  ...settingsChannels,
  ...schedulerChannels,
  ...provenanceChannels,
  ...toolChannels,
  ...governanceChannels,
  ...modelChannels,
  ...changeChannels,
  ...taskActionChannels,
  ...discoveryChannels,
  ...calibrationChannels,
  ...sloChannels,
  ...logChannels,
  ...knowledgeChannels,
  ...claimChannels,
} as const;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export const CHANNEL_NAMES = Object.keys(channels) as ChannelName[];

export type ChannelInput<C extends ChannelName> = z.input<Channels[C]['input']>;
export type ChannelOutput<C extends ChannelName> = z.output<Channels[C]['output']>;

/** `window.agentAgency`: one named method per channel, plus the live event feed. */
export type AgentAgencyApi = {
  [C in ChannelName]: (input: ChannelInput<C>) => Promise<Result<ChannelOutput<C>>>;
} & {
  /** Receives every event of the current subscription; returns a function that stops it. */
  onEvent(listener: (event: AgentEvent) => void): () => void;
  /** Receives transport status changes (the WebSocket transport can drop and reconnect). */
  onConnection(listener: (status: ConnectionStatus) => void): () => void;
};

/**
 * `unauthorized`: the headless host refused this page's token (every launch mints a new one, so an old
 * tab or bookmark goes stale); the page says how to get the current address instead of retrying forever.
 */
export type ConnectionStatus = 'connected' | 'reconnecting' | 'disconnected' | 'unauthorized';

/** Electron IPC channel names, derived from the contract so they are never spelled twice. */
export const ipcChannel = (name: ChannelName): string => `agent-agency:${name}`;
export const IPC_EVENT_CHANNEL = 'agent-agency:event';

/** WebSocket frames of the headless transport. */
export const WsRequest = z.strictObject({
  id: z.number().int().nonnegative(),
  channel: z.enum(CHANNEL_NAMES as [ChannelName, ...ChannelName[]]),
  input: z.unknown(),
});
export type WsRequest = z.infer<typeof WsRequest>;

export type WsServerFrame =
  | { kind: 'reply'; id: number; result: Result<unknown> }
  | { kind: 'event'; event: AgentEvent };
