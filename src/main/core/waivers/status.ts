import type { WaiverStatus } from '../../../shared/domain/governance';
import type { WaiverRecord } from '../db/queries/waivers';

/**
 * A waiver's status at `now`, derived from its record and how often it was used; never stored, so
 * a waiver expires by the clock alone, with no job to flip a flag. Revocation wins over everything,
 * then expiry, then the missing approval, then exhaustion.
 */
export function waiverStatus(waiver: WaiverRecord, uses: number, now: number): WaiverStatus {
  if (waiver.revokedAt !== null && waiver.revokedAt <= now) return 'revoked';
  if (now >= waiver.expiresAt) return 'expired';
  if (waiver.approvedAt === null || waiver.approvedAt > now) return 'pending';
  if (waiver.maxUses !== null && uses >= waiver.maxUses) return 'exhausted';
  return 'active';
}

/** Whether a waiver applies to work under the given spec: an unscoped waiver applies to any spec. */
export function coversSpec(waiver: { specId: string | null }, specId: string | null): boolean {
  return waiver.specId === null || waiver.specId === specId;
}
