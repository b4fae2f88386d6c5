/** A contact value proven to belong to whoever presents it. */
export interface VerifiedContact {
  readonly kind: 'email' | 'phone';
  readonly value: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Canonical form (lower-case email, E.164 phone), or null when the value is not one. */
export function normalizeContact(kind: VerifiedContact['kind'], raw: string): string | null {
  const v = raw.trim();
  if (kind === 'email') return EMAIL.test(v) && v.length <= 254 ? v.toLowerCase() : null;
  const digits = v.replace(/[\s().-]/g, '').replace(/^00/, '+');
  return /^\+?[1-9]\d{6,14}$/.test(digits) ? `+${digits.replace(/^\+/, '')}` : null;
}

/**
 * What a channel identity proves by itself. A WhatsApp user id is the phone number Meta verified
 * by SMS. An email sender proves its address only when the email channel found an aligned DMARC
 * pass (or a trusted ARC seal of one) for it — `meta.senderVerified` on the message (issue 15 #2):
 * `From:` alone is whatever the sender typed. Web chat, Messenger and Telegram ids prove no
 * contact: those identities link only when an agent verifies a contact or merges them (ADR 0221).
 */
export function contactsProvenBy(channel: string, channelUserId: string, meta?: Readonly<Record<string, unknown>>): VerifiedContact[] {
  const kind = channel === 'whatsapp' ? 'phone' : channel === 'email' && meta?.senderVerified === true ? 'email' : null;
  if (!kind) return [];
  const value = normalizeContact(kind, channelUserId);
  return value ? [{ kind, value }] : [];
}

/**
 * Union-find direction: the larger id links to the smaller. Whatever order racing merges commit in,
 * every link points to a strictly smaller id, so the links can never form a cycle.
 */
export function linkDirection(rootA: string, rootB: string): { child: string; parent: string } {
  return rootA > rootB ? { child: rootA, parent: rootB } : { child: rootB, parent: rootA };
}
