import type { Channel, MessageType } from '@omni/contracts';
import type { WindowRules } from './window';

export interface RateLimit {
  limit: number;
  intervalMs: number;
}

export interface ChannelCapabilities {
  channel: Channel;
  inboundTypes: readonly MessageType[];
  outboundTypes: readonly MessageType[];
  /** Longest text the provider accepts in one message; longer text is split by the encoder. */
  maxTextLength: number;
  maxCaptionLength?: number;
  /** Reply buttons / quick replies / keyboard buttons per message, and the longest title. */
  maxButtons: number;
  maxButtonTitle: number;
  rateLimits: { perAccount: RateLimit; perRecipient?: RateLimit };
  window: WindowRules;
}

/** Providers raise limits per account (WhatsApp throughput tiers, Messenger page limits): configurable. */
export function withRateLimits(caps: ChannelCapabilities, rateLimits: Partial<ChannelCapabilities['rateLimits']>): ChannelCapabilities {
  return { ...caps, rateLimits: { ...caps.rateLimits, ...rateLimits } };
}

/**
 * Splits text longer than `limit` into parts, preferring paragraph, line, then word boundaries,
 * so no character is lost and no part exceeds the provider's limit (counted in UTF-16 units, as
 * Meta and Telegram count; a surrogate pair is never cut in half).
 */
export function splitText(text: string, limit: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const window = rest.slice(0, limit);
    let cut = Math.max(window.lastIndexOf('\n\n'), window.lastIndexOf('\n'), window.lastIndexOf(' '));
    if (cut < limit / 2) cut = limit;
    const code = rest.charCodeAt(cut - 1);
    if (cut === limit && code >= 0xd800 && code <= 0xdbff) cut -= 1;
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^[ \n]+/, '');
  }
  if (rest.length || parts.length === 0) parts.push(rest);
  return parts;
}
