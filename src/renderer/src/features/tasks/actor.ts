import type { ChannelInput } from '../../../../shared/contract';

/** Who acts from this window; the journal records it with every intervention and approval. */
export const windowActor: ChannelInput<'pauseTask'>['actor'] = { who: 'local user', via: 'window' };
