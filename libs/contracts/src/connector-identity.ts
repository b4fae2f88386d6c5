/**
 * The customer a connector call is made for (ADR 0226): the contacts the gateway verified for the
 * customer who wrote the triggering message, sent as one request header to the company's connector,
 * which must answer only with what those contacts own.
 *
 * `Omni-Verified-Contacts: phone:%2B351912345678, email:ana%40example.com` — kind, colon, the
 * percent-encoded canonical value (E.164 phone, lower-case email); the header is absent when the
 * customer has no verified contact.
 */
export const VERIFIED_CONTACTS_HEADER = 'omni-verified-contacts';

export interface ConnectorContact {
  readonly kind: 'email' | 'phone';
  readonly value: string;
}

export function formatVerifiedContacts(contacts: readonly ConnectorContact[]): string {
  return contacts.map((c) => `${c.kind}:${encodeURIComponent(c.value)}`).join(', ');
}

/** Parses the header; entries of an unknown kind or that do not decode are dropped (never trusted). */
export function parseVerifiedContacts(header: string | readonly string[] | undefined): ConnectorContact[] {
  const raw = Array.isArray(header) ? header.join(',') : typeof header === 'string' ? header : '';
  const out: ConnectorContact[] = [];
  for (const part of raw.split(',')) {
    const entry = part.trim();
    const colon = entry.indexOf(':');
    const kind = entry.slice(0, colon);
    if (colon < 1 || (kind !== 'email' && kind !== 'phone')) continue;
    try {
      const value = decodeURIComponent(entry.slice(colon + 1));
      if (value) out.push({ kind, value });
    } catch {
      // a malformed escape: not a contact
    }
  }
  return out;
}
