import type { settingsChannels } from '../../../../shared/channels/settings';
import { AppFailure } from '../../../../shared/errors';
import type { AreaHandlers, SessionContext } from './types';

export function settingsHandlers(ctx: SessionContext): AreaHandlers<keyof typeof settingsChannels> {
  const { settings, models } = ctx.core;
  return {
    getSettings: () => settings.view(),
    // The contract carries no identity yet; the window is the only client that edits settings.
    updateSettings: (input) => {
      // The embedding model must be one the app has: a typo would silently leave search lexical.
      const embedding = input.patch.knowledgeEmbeddingModel?.trim();
      if (embedding && !models.registry.get(embedding)) {
        const message = `no installed model is named "${embedding}"; add it on the Models page or leave the field empty`;
        throw new AppFailure('invalid_input', `knowledgeEmbeddingModel: ${message}`, [{ path: 'patch.knowledgeEmbeddingModel', message }]);
      }
      return settings.update(input.patch, 'user');
    },
    setDataDir: (input) => settings.setDataDir(input.path),
  };
}
