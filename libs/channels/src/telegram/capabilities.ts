import { ChannelCapabilities } from '../common/capabilities';

export const TELEGRAM_CAPABILITIES: ChannelCapabilities = {
  channel: 'telegram',
  inboundTypes: ['text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contact', 'interactive'],
  outboundTypes: ['text', 'image', 'audio', 'video', 'document', 'sticker', 'interactive', 'reaction'],
  maxTextLength: 4096,
  maxCaptionLength: 1024,
  maxButtons: 100, // inline keyboard
  maxButtonTitle: 64,
  // Bot API FAQ: about 30 messages/s per bot overall and no more than one per second per chat
  // (groups: 20 per minute). Beyond that it answers 429 with parameters.retry_after.
  rateLimits: { perAccount: { limit: 30, intervalMs: 1000 }, perRecipient: { limit: 1, intervalMs: 1000 } },
  // No service window, but a bot can never write first: the user must have started it.
  window: { freeTextHours: null, outside: 'refuse', businessInitiated: 'refuse' },
};
