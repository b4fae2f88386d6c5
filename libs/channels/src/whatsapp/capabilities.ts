import { FatalError, OutboundCommand } from '@omni/contracts';
import { ChannelCapabilities } from '../common/capabilities';
import { TemplateRegistry } from '../common/templates';
import { AuthorKind, WindowDecision, canSendFreeText } from '../common/window';

export const WHATSAPP_CAPABILITIES: ChannelCapabilities = {
  channel: 'whatsapp',
  inboundTypes: ['text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contact', 'interactive', 'reaction'],
  outboundTypes: ['text', 'image', 'audio', 'video', 'document', 'sticker', 'interactive', 'reaction'],
  maxTextLength: 4096,
  maxCaptionLength: 1024,
  maxButtons: 10, // 3 reply buttons, beyond that a list of up to 10 rows
  maxButtonTitle: 24, // 20 for reply buttons, 24 for list rows
  // Cloud API default throughput is 80 msg/s per phone number (higher tiers on request). The pair
  // limit (≈1 msg / 6 s per user after a burst) is handled by retrying 131056, not by a limiter that
  // would slow down every multi-part bot reply.
  rateLimits: { perAccount: { limit: 80, intervalMs: 1000 } },
  window: { freeTextHours: 24, outside: 'template', businessInitiated: 'template' },
};

/** WhatsApp's 24-hour customer-service window: allowed, or needs-template. */
export function canSendWhatsAppFreeText(lastCustomerMessageAt: Date | undefined, now: Date, authorKind: AuthorKind): WindowDecision {
  return canSendFreeText(WHATSAPP_CAPABILITIES.window, lastCustomerMessageAt, now, authorKind);
}

export interface WhatsAppSendPlan {
  lastCustomerMessageAt: Date | undefined;
  now: Date;
  templates: TemplateRegistry;
  /** The template used instead of free text outside the window (e.g. a re-engagement template). */
  fallbackTemplate: string;
  customerLocale?: string;
}

/**
 * Applies the 24-hour customer-service window: free text passes within it; outside it the command
 * becomes the fallback template in the customer's language (its body parameter carries the text), or
 * fails with a FatalError saying why. Template commands pass through: they are allowed any time.
 */
export function planWhatsAppSend(cmd: OutboundCommand, plan: WhatsAppSendPlan): OutboundCommand {
  if (cmd.message.template) return cmd;
  const decision = canSendWhatsAppFreeText(plan.lastCustomerMessageAt, plan.now, cmd.author.kind);
  if (decision.kind === 'allowed') return cmd;
  if (decision.kind !== 'needs-template') throw new FatalError('outside_window', decision.reason);
  let template;
  try {
    template = plan.templates.pick(plan.fallbackTemplate, plan.customerLocale);
  } catch (err) {
    throw new FatalError('outside_window', `${decision.reason}; ${(err as Error).message}`);
  }
  const params = (template.bodyParams ?? 0) > 0 && cmd.message.text ? [templateParam(cmd.message.text)] : [];
  return {
    ...cmd,
    message: { type: 'text', attachments: [], template: { name: template.name, language: template.language, params } },
  };
}

/** Meta rejects template parameters with new lines, tabs or more than 4 consecutive spaces (132018). */
export function templateParam(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ').replace(/ {5,}/g, '    ').trim().slice(0, 1024);
}
