import { ChannelCapabilities } from '../common/capabilities';
import { AuthorKind, WindowDecision, canSendFreeText } from '../common/window';

export const MESSENGER_CAPABILITIES: ChannelCapabilities = {
  channel: 'messenger',
  inboundTypes: ['text', 'image', 'audio', 'video', 'document', 'sticker', 'interactive', 'reaction'],
  outboundTypes: ['text', 'image', 'audio', 'video', 'document', 'sticker', 'interactive'],
  maxTextLength: 2000,
  maxButtons: 13, // quick replies
  maxButtonTitle: 20,
  // Meta publishes no fixed per-second Send API figure (page limits scale with audience); 250/s per
  // page is a conservative default, configurable per account with withRateLimits().
  rateLimits: { perAccount: { limit: 250, intervalMs: 1000 } },
  // 24 h standard messaging window; after it only a human agent may reply, with the HUMAN_AGENT tag,
  // up to 7 days. A page cannot message someone who never wrote to it.
  window: { freeTextHours: 24, humanAgentTagHours: 24 * 7, outside: 'refuse', businessInitiated: 'refuse' },
};

/** Messenger's window: allowed (RESPONSE), needs-human-agent-tag (agents up to 7 days) or refused. */
export function canSendMessengerFreeText(lastCustomerMessageAt: Date | undefined, now: Date, authorKind: AuthorKind): WindowDecision {
  return canSendFreeText(MESSENGER_CAPABILITIES.window, lastCustomerMessageAt, now, authorKind);
}
