import type { settingsChannels } from '../../../../shared/channels/settings';
import type { AreaHandlers, SessionContext } from './types';

export function settingsHandlers(ctx: SessionContext): AreaHandlers<keyof typeof settingsChannels> {
  const { settings } = ctx.core;
  return {
    getSettings: () => settings.view(),
    // The contract carries no identity yet; the window is the only client that edits settings.
    updateSettings: (input) => settings.update(input.patch, 'user'),
    setDataDir: (input) => settings.setDataDir(input.path),
  };
}
