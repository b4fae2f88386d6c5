import { Resolver } from 'node:dns/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * Who really sent a mail (issue 15 #2). `From:` is whatever the sender typed; only DMARC ties it to
 * the domain: SPF (the connecting server may send for the envelope domain) or DKIM (the domain
 * signed the message), aligned with the From domain. The checks are mailauth's (postalsys, the
 * nodemailer author's maintained DKIM/SPF/DMARC/ARC library); this file holds the policy on its
 * result and the adapter that calls it.
 */

/** The part of mailauth's authenticate() result the policy reads (its AuthenticateResult). */
export interface MailAuthResult {
  readonly dmarc:
    | false
    | {
        readonly status: { readonly result: string; readonly header?: { readonly from?: string } };
        readonly alignment?: { readonly spf?: { readonly result?: string | false }; readonly dkim?: { readonly result?: string | false } };
      };
  readonly arc:
    | false
    | {
        readonly status: { readonly result: string };
        /** The newest ARC-Message-Signature's check, whose signing domain is the sealer. */
        readonly signature?: false | { readonly signingDomain?: string };
        /** The newest ARC-Authentication-Results, parsed: what the sealer saw before it forwarded. */
        readonly authenticationResults?: Record<string, unknown>;
      };
}

export interface SmtpEnvelope {
  /** The connecting client's address (SMTP only; IMAP mail has none, so SPF cannot be checked). */
  readonly ip?: string;
  readonly helo?: string;
  /** MAIL FROM ('' for bounces). */
  readonly mailFrom?: string;
}

/** Resolves null when nothing was checked (mailauth not installed). */
export type MailAuthenticate = (raw: Buffer, envelope: SmtpEnvelope) => Promise<MailAuthResult | null>;
export const MAIL_AUTHENTICATE = Symbol('MAIL_AUTHENTICATE');

/** Without mailauth: no sender is verified. */
export const NOT_CHECKED: MailAuthenticate = () => Promise.resolve(null);

export interface SenderAuth {
  /** True only for an aligned DMARC pass, or an ARC pass from a trusted sealer that saw one. */
  readonly verified: boolean;
  /** What decided, for agents and logs: 'dmarc=pass', 'arc=pass (sealer.example)', 'dmarc=fail', 'dmarc=none', 'temperror', 'unchecked'. */
  readonly result: string;
}

const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/**
 * The verdict on a mail whose From address is `from`. A DMARC pass means SPF or DKIM passed for a
 * domain aligned with the From domain; the From domain mailauth evaluated must be the one the
 * decoder reads (a mail with several From addresses gets no DMARC result at all). ARC lets a
 * forwarder's verdict count, only for sealers the operator trusts (EMAIL_TRUSTED_ARC_SEALERS).
 */
export function senderAuth(r: MailAuthResult | null, from: string, trustedArcSealers: readonly string[]): SenderAuth {
  if (!r) return { verified: false, result: 'unchecked' };
  const fromDomain = domainOf(from);
  const d = r.dmarc;
  if (d && d.status.result === 'pass' && d.status.header?.from?.toLowerCase() === fromDomain && (d.alignment?.spf?.result || d.alignment?.dkim?.result)) {
    return { verified: true, result: 'dmarc=pass' };
  }
  const a = r.arc;
  const sealer = a && a.signature ? a.signature.signingDomain?.toLowerCase() : undefined;
  if (a && a.status.result === 'pass' && sealer && trustedArcSealers.includes(sealer)) {
    const seen = a.authenticationResults?.dmarc as { result?: unknown; header?: { from?: unknown } } | undefined;
    if (seen?.result === 'pass' && typeof seen.header?.from === 'string' && seen.header.from.toLowerCase() === fromDomain) {
      return { verified: true, result: `arc=pass (${sealer})` };
    }
  }
  if (d && d.status.result === 'pass') return { verified: false, result: 'dmarc=pass, not aligned with From' };
  return { verified: false, result: d ? `dmarc=${d.status.result}` : 'dmarc=none' };
}

export interface MailauthOptions {
  /** Our host name, written as the authserv-id. */
  readonly mta: string;
  /** Bounds the whole check (DNS included); past it the mail is unverified, never refused. */
  readonly timeoutMs: number;
  /** DNS lookups, injected in tests; by default node's resolver with a per-query timeout. */
  readonly resolver?: (name: string, rrtype: string) => Promise<unknown>;
  /** Where mailauth is loaded from (injected in tests). */
  readonly load?: () => unknown;
}

type Authenticate = (input: Buffer, opts: Record<string, unknown>) => Promise<MailAuthResult>;

/**
 * mailauth's authenticate() behind the MailAuthenticate port, or null when the package is not
 * installed (it is not a dependency yet: docs/security.md). Loaded at run time so the build does
 * not need it; without it every sender is unverified, which is the safe side.
 */
export function mailauthAuthenticator(o: MailauthOptions): MailAuthenticate | null {
  let authenticate: Authenticate;
  try {
    const mod = (o.load ?? ((): unknown => createRequire(join(process.cwd(), 'package.json'))('mailauth') as unknown))() as { authenticate?: unknown } | undefined;
    if (typeof mod?.authenticate !== 'function') return null;
    authenticate = mod.authenticate as Authenticate;
  } catch {
    return null;
  }
  const dns = new Resolver({ timeout: Math.min(5_000, o.timeoutMs), tries: 2 });
  const resolver = o.resolver ?? ((name: string, rrtype: string) => dns.resolve(name, rrtype));
  return async (raw, envelope) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`mail authentication took longer than ${o.timeoutMs} ms`)), o.timeoutMs);
    });
    try {
      return await Promise.race([
        authenticate(raw, {
          ip: envelope.ip,
          helo: envelope.helo,
          sender: envelope.mailFrom,
          mta: o.mta,
          resolver,
          // Received headers are written by whoever sent the mail: never trusted for the client's address.
          trustReceived: false,
          disableBimi: true,
        }),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
}
