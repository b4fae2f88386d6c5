import { parse as uuidParse, v5 as uuidv5 } from 'uuid';

/**
 * Deterministic ids (★): the same channel event always yields the same ce_id, so a webhook that the
 * provider delivers twice becomes one event, and every consumer dedupes on it.
 */
// Parsed once: given as a string, uuid re-parses the namespace on every call (it showed up in the
// webhook-ingest profile of `npm run bench`). The ids are the same either way (pinned in ids.spec.ts).
const NAMESPACE = uuidParse('b3d4c2a4-6a77-4c61-9a5e-0f3c3e6f0d11');

export function channelEventId(channel: string, accountId: string, channelMessageId: string): string {
  return uuidv5(`message:${channel}:${accountId}:${channelMessageId}`, NAMESPACE);
}

/** A delivery status of one message; the same status reported twice is one event. */
export function statusEventId(channel: string, accountId: string, channelMessageId: string, status: string): string {
  return uuidv5(`status:${channel}:${accountId}:${channelMessageId}:${status}`, NAMESPACE);
}

/** A conversation thread: one customer on one channel account (or one mail thread). */
export function conversationId(tenantId: string, channel: string, accountId: string, threadKey: string): string {
  return uuidv5(`conversation:${tenantId}:${channel}:${accountId}:${threadKey}`, NAMESPACE);
}

/** An id derived from another one for one purpose (the AI request or the bot reply of a message). */
export function derivedId(parentId: string, purpose: string): string {
  return uuidv5(`${purpose}:${parentId}`, NAMESPACE);
}
