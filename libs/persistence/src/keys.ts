import { createHash } from 'node:crypto';

/** Stable id of a channel identity (also the unique index's key, so upserts cannot fork it). */
export function customerKey(tenantId: string, channel: string, accountId: string, channelUserId: string): string {
  return createHash('sha256').update(`${tenantId}\u0000${channel}\u0000${accountId}\u0000${channelUserId}`).digest('hex').slice(0, 32);
}
