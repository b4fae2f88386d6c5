import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ImapFlow } from 'imapflow';
import { OmniError } from '@omni/contracts';
import { counter, rootLogger } from '@omni/telemetry';
import { EMAIL_CONFIG, EmailConfig } from '../config';
import { ReceiveMailUseCase } from './receive-mail.use-case';

/** Our mark on a mail whose events are on Kafka; \Seen stays the humans' (they may read the mailbox too). */
export const INGESTED = '$OmniIngested';
const TIMEOUT_MS = 30_000;
const MAX_BACKOFF_MS = 60_000;

/**
 * Hosted mailboxes over IMAP: keeps a connection open on EMAIL_IMAP_MAILBOX (IDLE, so new mail is
 * pushed), ingests every mail without our keyword through the same use case as SMTP, and sets the
 * keyword only after its events are on Kafka — the IMAP counterpart of answering 250. A failure
 * leaves the mail unmarked, retried with backoff; the connection reconnects with backoff.
 */
@Injectable()
export class ImapMailboxWatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = rootLogger().child({ component: 'imap-inbound' });
  private readonly mails = counter('omni_email_imap_total', 'Mails read over IMAP by outcome', ['outcome']);
  private client?: ImapFlow;
  private stopped = false;
  private failures = 0;
  private draining: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  /** Servers without custom keywords (PERMANENTFLAGS lacking \*) get \Seen instead. */
  private mark = INGESTED;

  constructor(
    @Inject(EMAIL_CONFIG) private readonly config: EmailConfig,
    private readonly receive: ReceiveMailUseCase,
  ) {}

  onApplicationBootstrap(): void {
    // A slow or down IMAP server must not hold the app's start (SMTP and outbound work without it).
    if (this.config.EMAIL_IMAP_HOST) void this.connect();
  }

  private async connect(): Promise<void> {
    const c = this.config;
    const client = new ImapFlow({
      host: c.EMAIL_IMAP_HOST ?? '', port: c.EMAIL_IMAP_PORT, secure: c.EMAIL_IMAP_SECURE,
      auth: { user: c.EMAIL_IMAP_USER ?? '', pass: c.EMAIL_IMAP_PASS ?? '' },
      logger: false, connectionTimeout: TIMEOUT_MS, greetingTimeout: TIMEOUT_MS, socketTimeout: 5 * 60_000,
      // imapflow waits 15 s before IDLE; we are the connection's only user, so new mail is pushed sooner.
      autoIdleDelay: 500,
    });
    client.on('exists', () => this.schedule());
    client.on('error', (err: Error) => this.log.warn({ msg: err.message }, 'imap error'));
    client.on('close', () => this.retryLater('connection closed'));
    try {
      await client.connect();
      const box = await client.mailboxOpen(c.EMAIL_IMAP_MAILBOX);
      this.mark = box.permanentFlags?.has('\\*') ? INGESTED : '\\Seen';
      this.client = client;
      this.failures = 0;
      this.log.info({ mailbox: c.EMAIL_IMAP_MAILBOX, mark: this.mark }, 'watching IMAP mailbox');
      this.schedule();
    } catch (err) {
      this.log.warn({ msg: (err as Error).message }, 'imap connect failed');
      client.close();
      this.retryLater('connect failed');
    }
  }

  private schedule(): void {
    this.draining = this.draining.then(() => this.drain()).catch((err: unknown) => {
      this.log.warn({ code: (err as OmniError).code, msg: (err as Error).message }, 'imap ingest paused, will retry');
      this.retryLater('ingest failed', false);
    });
  }

  /** Ingests every unmarked mail, oldest first; stops at the first retryable failure (order kept). */
  private async drain(): Promise<void> {
    const client = this.client;
    if (!client?.usable) return;
    const uids = (await client.search(this.mark === INGESTED ? { unKeyword: INGESTED } : { seen: false }, { uid: true })) || [];
    for (const uid of uids) {
      const msg = await client.fetchOne(String(uid), { source: true }, { uid: true });
      if (!msg || !msg.source) continue;
      try {
        await this.receive.execute({ raw: msg.source, rcptTo: [this.config.EMAIL_ADDRESS] });
        this.mails.inc({ outcome: 'ingested' });
      } catch (err) {
        if (!(err instanceof OmniError) || err.retryable) throw err;
        // Never decodable: marked anyway so it does not block the mailbox; it stays there for a human.
        this.mails.inc({ outcome: 'rejected' });
        this.log.warn({ uid, msg: err.message }, 'mail cannot be ingested; left in the mailbox');
      }
      await client.messageFlagsAdd(String(uid), [this.mark], { uid: true });
    }
    this.failures = 0;
  }

  private retryLater(why: string, reconnect = true): void {
    if (this.stopped || this.timer) return;
    this.failures += 1;
    const wait = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(this.failures, 7));
    this.log.info({ why, wait }, 'imap retry scheduled');
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (reconnect || !this.client?.usable) void this.connect();
      else this.schedule();
    }, wait);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.draining;
    await this.client?.logout().catch(() => undefined);
  }
}
