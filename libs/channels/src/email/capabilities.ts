import { ChannelCapabilities } from '../common/capabilities';

export const EMAIL_CAPABILITIES: ChannelCapabilities = {
  channel: 'email',
  inboundTypes: ['text', 'image', 'audio', 'video', 'document'],
  outboundTypes: ['text', 'image', 'audio', 'video', 'document', 'interactive'],
  maxTextLength: 65_536,
  maxButtons: 10, // rendered as numbered options
  maxButtonTitle: 64,
  // Relays publish their own limits; 10 mails/s per mailbox is a polite default (configurable).
  rateLimits: { perAccount: { limit: 10, intervalMs: 1000 } },
  window: { freeTextHours: null, outside: 'refuse', businessInitiated: 'allowed' },
};
