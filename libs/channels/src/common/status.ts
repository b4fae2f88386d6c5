import type { DeliveryState } from '@omni/contracts';

/**
 * Providers deliver statuses out of order (Meta sends `read` before `delivered` now and then, and
 * retries old ones), so the stored state only moves forward: sent → delivered → read; failed is
 * terminal and wins over anything that is not yet read.
 */
const RANK: Record<DeliveryState, number> = { sent: 1, delivered: 2, read: 3, failed: 4 };

export function statusRank(state: DeliveryState): number {
  return RANK[state];
}

/** The state to store when `next` arrives while `current` is stored (undefined = nothing yet). */
export function advanceStatus(current: DeliveryState | undefined, next: DeliveryState): DeliveryState {
  if (current === undefined) return next;
  if (current === 'failed') return 'failed';
  // A message the customer has read was delivered: a late `failed` for it is noise, not a failure.
  if (current === 'read') return 'read';
  return RANK[next] > RANK[current] ? next : current;
}
