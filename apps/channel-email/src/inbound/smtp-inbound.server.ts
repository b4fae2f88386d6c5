import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { SMTPServer, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { OmniError } from '@omni/contracts';
import { constantTimeEquals } from '@omni/channels';
import { counter, rootLogger } from '@omni/telemetry';
import { EMAIL_CONFIG, EmailConfig } from '../config';
import { ReceiveMailUseCase } from './receive-mail.use-case';
import { EmailMailboxes } from '../accounts/email-mailboxes';
import { UnknownAccounts } from '@omni/channel-kit';

/** An SMTP reply: smtp-server sends `responseCode` and the message to the client. */
function smtpError(responseCode: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode });
}

/**
 * The inbound "webhook" of email: an SMTP server that accepts mail for our mailbox only (not a
 * relay), refuses oversized mail, optionally requires AUTH, and answers DATA with 250 only after
 * the mail's events are on Kafka — 451 on a Kafka/database failure so the sending MTA retries,
 * 554 for mail that can never be decoded.
 */
@Injectable()
export class SmtpInboundServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = rootLogger().child({ component: 'smtp-inbound' });
  private readonly mails = counter('omni_email_inbound_total', 'Inbound SMTP mails by outcome', ['outcome']);
  private readonly unknown = new UnknownAccounts('email', this.log, 'mail for an address no tenant connected (refused at RCPT TO)');
  private server?: SMTPServer;
  /** Open connections per remote address (the sessions counted, so a refused one is never uncounted). */
  private readonly perAddress = new Map<string, number>();
  private readonly counted = new Set<string>();

  constructor(
    @Inject(EMAIL_CONFIG) private readonly config: EmailConfig,
    private readonly receive: ReceiveMailUseCase,
    private readonly mailboxes: EmailMailboxes,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const c = this.config;
    const auth = c.EMAIL_SMTP_AUTH_USER && c.EMAIL_SMTP_AUTH_PASS ? { user: c.EMAIL_SMTP_AUTH_USER, pass: c.EMAIL_SMTP_AUTH_PASS } : undefined;
    this.server = new SMTPServer({
      name: c.EMAIL_ADDRESS.split('@')[1],
      banner: 'omni-gateway',
      size: c.EMAIL_MAX_MESSAGE_BYTES,
      maxClients: c.EMAIL_SMTP_MAX_CLIENTS,
      onConnect: (session, cb) => {
        const address = session.remoteAddress;
        const open = this.perAddress.get(address) ?? 0;
        if (open >= c.EMAIL_SMTP_MAX_CLIENTS_PER_IP) {
          this.mails.inc({ outcome: 'too_many_connections' });
          cb(smtpError(421, '4.7.0 too many connections from your address, try again later'));
          return;
        }
        this.perAddress.set(address, open + 1);
        this.counted.add(session.id);
        cb();
      },
      onClose: (session) => {
        if (!this.counted.delete(session.id)) return;
        const open = (this.perAddress.get(session.remoteAddress) ?? 1) - 1;
        if (open > 0) this.perAddress.set(session.remoteAddress, open);
        else this.perAddress.delete(session.remoteAddress);
      },
      // TLS is terminated in front of this hop (the MX or a proxy); AUTH is then safe on the inner network.
      disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      authOptional: !auth,
      allowInsecureAuth: true,
      logger: false,
      onAuth: (a, _session, cb) => {
        const ok = auth && constantTimeEquals(a.username ?? '', auth.user) && constantTimeEquals(a.password ?? '', auth.pass);
        cb(ok ? null : smtpError(535, '5.7.8 Authentication credentials invalid'), ok ? { user: auth.user } : undefined);
      },
      onRcptTo: (address, _session, cb) => {
        // Only connected mailboxes (ADR 0600): anything else would make us an open relay.
        this.mailboxes.mailbox(address.address).then(
          (box) => {
            if (box) return cb();
            this.reportUnknown(address.address.toLowerCase());
            cb(smtpError(550, `5.1.1 <${address.address}>: no such mailbox here`));
          },
          () => cb(smtpError(451, '4.3.0 mailbox lookup failed, try again later')),
        );
      },
      onData: (stream, session, cb) => {
        this.onData(stream, session).then(() => cb(), (err: Error) => cb(err));
      },
    });
    this.server.on('error', (err) => this.log.warn({ msg: err.message }, 'smtp server error'));
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(c.EMAIL_SMTP_PORT, c.EMAIL_SMTP_HOST, () => resolve());
    });
    const { port } = this.server.server.address() as AddressInfo;
    this.log.info({ port, auth: Boolean(auth) }, `inbound SMTP listening on :${port}`);
  }

  private async onData(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    // Kept only up to the limit: past it the rest of DATA is read (the protocol needs it) and dropped,
    // so an endless DATA costs a connection's time, never the process's memory.
    const limit = this.config.EMAIL_MAX_MESSAGE_BYTES;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream) {
      size += (chunk as Buffer).length;
      if (size <= limit) chunks.push(chunk as Buffer);
      else chunks.length = 0;
    }
    if (size > limit || stream.sizeExceeded) {
      this.mails.inc({ outcome: 'too_large' });
      throw smtpError(552, `5.3.4 message exceeds ${this.config.EMAIL_MAX_MESSAGE_BYTES} bytes`);
    }
    const envelope = session.envelope;
    try {
      const result = await this.receive.execute({
        raw: Buffer.concat(chunks),
        mailFrom: envelope.mailFrom ? envelope.mailFrom.address : '',
        rcptTo: envelope.rcptTo.map((r) => r.address),
        ip: session.remoteAddress,
        helo: session.hostNameAppearsAs,
      });
      this.mails.inc({ outcome: result.messages ? 'message' : result.statuses ? 'bounce' : 'ignored' });
    } catch (err) {
      const retry = !(err instanceof OmniError) || err.retryable;
      this.mails.inc({ outcome: retry ? 'deferred' : 'rejected' });
      this.log.warn({ code: (err as OmniError).code, msg: (err as Error).message }, retry ? 'mail deferred (451)' : 'mail rejected (554)');
      throw retry ? smtpError(451, '4.3.0 temporary failure, try again later') : smtpError(554, `5.6.0 ${(err as Error).message}`);
    }
  }

  /** The bound port (EMAIL_SMTP_PORT=0 picks a free one). */
  port(): number | undefined {
    return (this.server?.server.address() as AddressInfo | null)?.port;
  }

  /** A recipient nobody connected: refused at RCPT TO (550), counted, logged once per address. */
  private reportUnknown(address: string): void {
    this.unknown.seen(address.slice(0, 320));
  }

  async onApplicationShutdown(): Promise<void> {
    // close() waits for open sessions to finish their DATA, so accepted mail is never cut off.
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
