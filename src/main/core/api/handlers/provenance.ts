import type { provenanceChannels } from '../../../../shared/channels/provenance';
import type { AreaHandlers, SessionContext } from './types';

/** Audit bundles (export, verify), the audit repository and the signing keys. */
export function provenanceHandlers(ctx: SessionContext): AreaHandlers<keyof typeof provenanceChannels> {
  const { provenance } = ctx.core;
  return {
    exportBundle: (input) => provenance.exportToFile(input.taskId, { inline: input.inline, includeTrace: input.includeTrace }),
    verifyBundle: (input) => provenance.verify(input.content, { trustLocalKeys: input.trustLocalKeys, ...(input.sourcesDir ? { sourcesDir: input.sourcesDir } : {}) }),
    listAuditCommits: (input) => provenance.listAuditCommits(input),
    listSigningKeys: () => provenance.signingKeys(),
  };
}
