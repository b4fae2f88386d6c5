import { createHmac, timingSafeEqual } from 'node:crypto';

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

/**
 * The router's signature on a connector request (ADR 0226, "the hop is authenticated"): a connector
 * that holds the shared secret knows the request — its verified contacts above all — comes from the
 * gateway and was not changed or replayed later. `Omni-Signature: t=<unix seconds>,v1=<hex>`, the
 * HMAC-SHA256 of `t`, the method, the path with its query, the verified-contacts header, the
 * idempotency key and the body, each on its own line.
 *
 * While a tenant rotates its connector's secret the header carries one `v1=` per secret in use, the
 * current first (`t=…,v1=<current>,v1=<previous>`): a connector still on the previous secret, or
 * already on the new one, finds its own among them (ADR 0226, "a secret per tenant").
 */
export const CONNECTOR_SIGNATURE_HEADER = 'omni-signature';
/** The demo profile's shared secret (router and demo connector under `npm run up`); never outside demo. */
export const DEMO_CONNECTOR_SIGNING_SECRET = 'omni-demo-connector-signing-secret';
/** How far a signature's time may be from the connector's clock. */
export const CONNECTOR_SIGNATURE_TOLERANCE_S = 300;
/** At most this many `v1=` entries are read from a header (current and previous secret; room for one more). */
const MAX_SIGNATURES = 3;

export interface SignedConnectorRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly path: string;
  readonly contacts: string;
  readonly idempotencyKey: string;
  readonly body: string;
}

function connectorMac(secret: string, t: number, r: SignedConnectorRequest): string {
  return createHmac('sha256', secret).update([String(t), r.method.toUpperCase(), r.path, r.contacts, r.idempotencyKey, r.body].join('\n')).digest('hex');
}

/** Signs with every secret given, the current one first (a rotation's overlap sends the previous one's too). */
export function signConnectorRequest(secrets: string | readonly string[], r: SignedConnectorRequest, nowSeconds = Math.floor(Date.now() / 1000)): string {
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  if (list.length === 0) throw new Error('signConnectorRequest needs a secret');
  return [`t=${nowSeconds}`, ...list.map((s) => `v1=${connectorMac(s, nowSeconds, r)}`)].join(',');
}

/**
 * Why a request's signature is refused, or null when it is the gateway's, fresh and unchanged. A
 * connector rotating on its side passes its current and previous secret: any of them matching any
 * `v1=` of the header is enough.
 */
export function connectorSignatureRefusal(secrets: string | readonly string[], header: string | undefined, r: SignedConnectorRequest, nowSeconds = Math.floor(Date.now() / 1000)): string | null {
  const m = /^t=(\d{1,12})((?:,v1=[0-9a-f]{64}){1,3})$/.exec(header?.trim() ?? '');
  if (!m) return 'signature missing or malformed';
  const t = Number(m[1]);
  if (Math.abs(nowSeconds - t) > CONNECTOR_SIGNATURE_TOLERANCE_S) return 'signature too old or from the future';
  const given = m[2].split(',v1=').slice(1, MAX_SIGNATURES + 1).map((h) => Buffer.from(h, 'hex'));
  const mine = (typeof secrets === 'string' ? [secrets] : secrets).map((s) => Buffer.from(connectorMac(s, t, r), 'hex'));
  // Every pair compared (constant time each), so the time taken does not say which entry matched.
  let ok = false;
  for (const a of mine) for (const b of given) ok = timingSafeEqual(a, b) || ok;
  return ok ? null : 'signature does not match';
}
