/**
 * Customer-service window rules. WhatsApp: free text only within 24 h of the customer's last
 * message, a pre-approved template otherwise. Messenger: 24 h standard window, then the HUMAN_AGENT
 * tag lets a *human* reply up to 7 days; bots are refused. Telegram/email: no window.
 */
export type AuthorKind = 'bot' | 'agent' | 'system';

export interface WindowRules {
  /** Hours after the customer's last message during which free text is allowed; null = no window. */
  freeTextHours: number | null;
  /** Messenger only: hours during which a human agent may still reply with the HUMAN_AGENT tag. */
  humanAgentTagHours?: number;
  /** What is still possible once the window closed. */
  outside: 'template' | 'refuse';
  /** Whether the business may write first (Telegram: a bot cannot message a user who never started it). */
  businessInitiated: 'template' | 'allowed' | 'refuse';
}

export type WindowDecision =
  | { kind: 'allowed' }
  | { kind: 'needs-template'; reason: string }
  | { kind: 'needs-human-agent-tag'; reason: string }
  | { kind: 'refused'; reason: string };

const HOUR = 3_600_000;

export function canSendFreeText(
  rules: WindowRules,
  lastCustomerMessageAt: Date | undefined,
  now: Date,
  authorKind: AuthorKind,
): WindowDecision {
  if (!lastCustomerMessageAt) {
    if (rules.businessInitiated === 'allowed') return { kind: 'allowed' };
    if (rules.businessInitiated === 'template') {
      return { kind: 'needs-template', reason: 'the customer never wrote: a business-initiated message needs an approved template' };
    }
    return { kind: 'refused', reason: 'the customer never wrote: this channel does not allow business-initiated messages' };
  }
  if (rules.freeTextHours === null) return { kind: 'allowed' };
  // A clock slightly behind the provider's timestamp gives a negative age: still inside the window.
  const ageHours = (now.getTime() - lastCustomerMessageAt.getTime()) / HOUR;
  if (ageHours < rules.freeTextHours) return { kind: 'allowed' };
  const age = `${Math.floor(ageHours)} h since the customer's last message (window ${rules.freeTextHours} h)`;
  if (rules.humanAgentTagHours !== undefined && ageHours < rules.humanAgentTagHours) {
    if (authorKind === 'agent') return { kind: 'needs-human-agent-tag', reason: `${age}: allowed for a human agent with the HUMAN_AGENT tag` };
    return { kind: 'refused', reason: `${age}: only a human agent may reply (HUMAN_AGENT tag, up to ${rules.humanAgentTagHours} h)` };
  }
  if (rules.outside === 'template') return { kind: 'needs-template', reason: `${age}: free text is refused, an approved template is needed` };
  return { kind: 'refused', reason: `${age}: the channel refuses messages outside its window` };
}
