import nodemailer from 'nodemailer';
import { freePort } from '../../test/support/apps';
import { BareProcess, startBareProcess } from './bare-process';
import { Latency, latency } from './stats';

/**
 * SMTP ingest: the built channel-email app against a bare smtp-server receiver (bare-smtp.mjs) doing
 * the same parse + thread record + produce, both fed the same plain-text customer mails over SMTP by
 * a nodemailer connection pool (a new Message-ID and sender per mail). The time measured is what a
 * sending MTA waits: MAIL FROM → RCPT TO → DATA → the 250 that follows only once the mail is on Kafka.
 *  - saturation: N connections, each sending its next mail as soon as the last was accepted;
 *  - fixed rate: an open loop at R mails/s (queued on the pool when every connection is busy, the
 *    queueing counted in the latency).
 */
export const BENCH_MAILBOX = 'support@bench.omni.local';

export interface Mail {
  from: string;
  to: string;
  subject: string;
  text: string;
  messageId: string;
}

/** A customer's mail (about 600 bytes of text, quoted history and a signature, like real support mail). */
export function mailFactory(run: string): (n: number) => Mail {
  return (n) => ({
    from: `Customer ${n % 997} <customer${n % 997}@example.net>`,
    to: BENCH_MAILBOX,
    subject: `Order ORD-${100000 + (n % 900000)} has not arrived`,
    messageId: `<bench-${run}-${n}@example.net>`,
    text: [
      'Hello,', '',
      `I ordered ORD-${100000 + (n % 900000)} two weeks ago and it has still not arrived. The tracking page has`,
      'not changed for five days. Could you tell me where it is, or refund it if it is lost?', '',
      'Thanks,', 'A customer', '', '-- ', 'Sent from my phone', '',
      'On Mon, 1 Dec 2026 at 10:00, Support <support@bench.omni.local> wrote:',
      '> Thank you for your order. We will let you know when it ships.',
      '> Kind regards, the shop',
    ].join('\n'),
  });
}

export interface SmtpServerHandle extends BareProcess {
  port: number;
}

/** Starts bare-smtp.mjs; it produces to `<prefix>email` (the topic must exist). */
export async function startBareSmtp(brokers: string, topicPrefix: string, mongoUri: string): Promise<SmtpServerHandle> {
  const port = await freePort();
  const bare = await startBareProcess('bare-smtp.mjs', {
    BARE_SMTP_PORT: String(port), BARE_BROKERS: brokers, BARE_TOPIC_PREFIX: topicPrefix, BARE_MONGODB_URI: mongoUri, BARE_MAILBOX: BENCH_MAILBOX,
  }, 'bare SMTP server');
  return { port, ...bare };
}

function pool(port: number, connections: number) {
  return nodemailer.createTransport({
    host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: connections, maxMessages: Infinity,
    connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000,
  });
}

export interface MailResult extends Latency {
  perSec: number;
  ok: number;
  failed: number;
  /** The first refusal's text, to tell a broken setup from load. */
  firstError?: string;
}

/** Closed loop: `connections` senders, each sending its next mail once the last one got its 250. */
export async function saturateSmtp(port: number, make: (n: number) => Mail, seconds: number, connections: number, offset: number): Promise<MailResult> {
  const transport = pool(port, connections);
  const samples: number[] = [];
  let failed = 0;
  let firstError: string | undefined;
  let n = offset;
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  try {
    await Promise.all(Array.from({ length: connections }, async () => {
      while (performance.now() < until) {
        const started = performance.now();
        try {
          await transport.sendMail(make(n++));
          samples.push(performance.now() - started);
        } catch (err) {
          failed++;
          firstError ??= (err as Error).message;
        }
      }
    }));
  } finally {
    transport.close();
  }
  const elapsed = (performance.now() - t0) / 1000;
  return { ...latency(samples), perSec: samples.length / elapsed, ok: samples.length, failed, firstError };
}

/** Open loop: one mail every 1/rate s for `seconds`; latency from the moment it was due to its 250. */
export async function fixedRateSmtp(port: number, make: (n: number) => Mail, rate: number, seconds: number, connections: number, offset: number): Promise<MailResult & { sentPerSec: number }> {
  const transport = pool(port, connections);
  const samples: number[] = [];
  const pending: Promise<void>[] = [];
  let failed = 0;
  let firstError: string | undefined;
  const total = Math.round(rate * seconds);
  const t0 = performance.now();
  try {
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      pending.push(transport.sendMail(make(offset + i)).then(
        () => void samples.push(performance.now() - due),
        (err: unknown) => {
          failed++;
          firstError ??= (err as Error).message;
        },
      ));
    }
    const sentFor = (performance.now() - t0) / 1000;
    await Promise.all(pending);
    return { ...latency(samples), perSec: samples.length / ((performance.now() - t0) / 1000), sentPerSec: total / sentFor, ok: samples.length, failed, firstError };
  } finally {
    transport.close();
  }
}
