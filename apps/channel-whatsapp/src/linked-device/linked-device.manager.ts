import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { RetryableError, type OutboundCommand } from '@omni/contracts';
import type { WebMessageLike, WebReactionLike } from '@omni/channels';
import { counter, rootLogger } from '@omni/telemetry';
import { WHATSAPP_CONFIG, WhatsAppConfig } from '../config';
import { LiveWebMessage, ReceiveLinkedMessageUseCase } from './receive-linked-message.use-case';
import { ACCOUNT_LEASE, AccountLease } from './account-lease';
import { CATCH_UP_CURSOR, CatchUpCursor } from './catch-up.cursor';
import { WEB_CLIENT_FACTORY, WebClient, WebClientFactory } from './web-client';

/** `standby`: another instance holds the account's lease and runs its client. */
export type LinkState = 'standby' | 'starting' | 'pairing' | 'authenticated' | 'ready' | 'disconnected' | 'stopped';

interface Account {
  id: string;
  client?: WebClient;
  state: LinkState;
  since: Date;
  qr?: string;
  /** Failed starts/disconnects since the last `ready`: the backoff exponent. */
  attempts: number;
  timer?: NodeJS.Timeout;
  lastError?: string;
  /** This instance holds the account's lease; when it was last confirmed. */
  leased: boolean;
  renewedAt: number;
}

/**
 * One whatsapp-web.js client per linked-device account: started at boot (not awaited: a browser
 * takes seconds and must not hold the app's readiness), the pairing QR logged and kept for the
 * authenticated endpoint, and restarted with exponential backoff (jittered, capped) after a failed
 * launch, an auth failure or a disconnect. Events go to ReceiveLinkedMessageUseCase. Only the
 * instance holding an account's lease runs its client; the others stand by and take over when the
 * lease expires (a crashed pod) or is released (a graceful stop). On every `ready` the messages that
 * arrived while no client was connected are fetched from the chats and published (catch-up).
 */
@Injectable()
export class LinkedDeviceManager implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = rootLogger().child({ component: 'whatsapp-linked-device' });
  private readonly accounts = new Map<string, Account>();
  private readonly transitions = counter('omni_whatsapp_linked_device_events_total', 'Linked-device client lifecycle events', ['account', 'event']);
  private readonly caughtUp = counter('omni_whatsapp_linked_device_caught_up_total', 'Messages fetched from the chats after a (re)connect and published', ['account']);
  private stopping = false;
  private leaseTimer?: NodeJS.Timeout;
  /** One chain per chat: a message whose media is still downloading is not overtaken by the next one. */
  private readonly chats = new Map<string, Promise<unknown>>();

  constructor(
    @Inject(WHATSAPP_CONFIG) private readonly config: WhatsAppConfig,
    @Inject(WEB_CLIENT_FACTORY) private readonly factory: WebClientFactory,
    private readonly receive: ReceiveLinkedMessageUseCase,
    @Inject(ACCOUNT_LEASE) private readonly lease: AccountLease,
    @Inject(CATCH_UP_CURSOR) private readonly cursor: CatchUpCursor,
  ) {
    for (const id of config.WHATSAPP_WEB_ACCOUNTS) this.accounts.set(id, { id, state: 'stopped', since: new Date(), attempts: 0, leased: false, renewedAt: 0 });
  }

  owns(accountId: string): boolean {
    return this.accounts.has(accountId);
  }

  onApplicationBootstrap(): void {
    if (!this.accounts.size) return;
    void this.leases();
    this.leaseTimer = setInterval(() => void this.leases(), Math.max(10, Math.floor(this.config.WHATSAPP_WEB_LEASE_TTL_MS / 3)));
    this.leaseTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.leaseTimer);
    await Promise.all([...this.accounts.values()].map(async (a) => {
      this.stop(a, 'stopped');
      // Released only after the browser is gone: the next holder must not open the session before.
      if (a.leased) await this.lease.release(a.id).catch(() => undefined);
      a.leased = false;
    }));
  }

  /** Takes free leases (and starts those clients), renews held ones, stops a client whose lease is lost. */
  private async leases(): Promise<void> {
    await Promise.all([...this.accounts.values()].map(async (a) => {
      try {
        if (!a.leased) {
          if (!(await this.lease.acquire(a.id)) || this.stopping) {
            if (a.state !== 'standby' && !this.stopping) this.set(a, 'standby');
            return;
          }
          a.leased = true;
          a.renewedAt = Date.now();
          this.start(a);
        } else if (await this.lease.renew(a.id)) {
          a.renewedAt = Date.now();
        } else {
          this.log.warn({ accountId: a.id }, `WhatsApp linked device ${a.id}: lease lost to another instance, stopping the client`);
          a.leased = false;
          this.stop(a, 'standby');
        }
      } catch (err) {
        // The database is unreachable: past the TTL another instance may take the account over.
        this.log.warn({ accountId: a.id, err: (err as Error).message }, 'linked-device lease check failed');
        if (a.leased && Date.now() - a.renewedAt > this.config.WHATSAPP_WEB_LEASE_TTL_MS * 0.8) {
          a.leased = false;
          this.stop(a, 'standby');
        }
      }
    }));
  }

  private stop(a: Account, state: LinkState): void {
    clearTimeout(a.timer);
    const client = a.client;
    a.client = undefined;
    a.qr = undefined;
    this.set(a, state);
    void client?.destroy().catch(() => undefined);
  }

  /** The client of a ready account; a RetryableError otherwise (the outbound command waits and retries). */
  client(cmd: Pick<OutboundCommand, 'accountId'>): WebClient {
    const a = this.accounts.get(cmd.accountId);
    if (!a?.client || a.state !== 'ready') throw new RetryableError('linked_device_not_ready', `WhatsApp linked device ${cmd.accountId} is ${a?.state ?? 'not configured'}`, 5_000);
    return a.client;
  }

  status(accountId: string): { accountId: string; state: LinkState; since: string; qrPending: boolean; lastError?: string } | undefined {
    const a = this.accounts.get(accountId);
    return a && { accountId, state: a.state, since: a.since.toISOString(), qrPending: a.qr !== undefined, lastError: a.lastError };
  }

  qr(accountId: string): string | undefined {
    return this.accounts.get(accountId)?.qr;
  }

  private start(a: Account): void {
    if (this.stopping || !a.leased) return;
    const client = this.factory.create(a.id);
    a.client = client;
    this.set(a, 'starting');
    this.wire(a, client);
    client.initialize().catch((err: unknown) => this.restart(a, client, `initialize failed: ${(err as Error).message}`));
  }

  private wire(a: Account, client: WebClient): void {
    // Events of a replaced client (destroyed during a restart) must not touch the account.
    const current = () => a.client === client;
    client.on('qr', (qr: string) => {
      if (!current()) return;
      a.qr = qr;
      this.set(a, 'pairing');
      // The QR links a device to the number: a credential, never written to a log (issue 15 #13).
      this.log.warn({ accountId: a.id }, `WhatsApp linked device ${a.id} needs pairing: open GET /linked-device/${a.id}/qr (authenticated) and scan it in WhatsApp > Linked devices`);
    });
    client.on('authenticated', () => {
      if (!current()) return;
      a.qr = undefined;
      this.set(a, 'authenticated');
    });
    client.on('ready', () => {
      if (!current()) return;
      a.qr = undefined;
      a.attempts = 0;
      a.lastError = undefined;
      this.set(a, 'ready');
      void this.catchUp(a, client);
    });
    client.on('auth_failure', (message: string) => this.restart(a, client, `auth failure: ${message}`));
    client.on('disconnected', (reason: string) => this.restart(a, client, `disconnected: ${reason}`));
    client.on('message', (msg: LiveWebMessage) => this.inOrder(a.id, msg.from, msg.id.id, () => this.received(a.id, msg)));
    client.on('message_reaction', (r: WebReactionLike) => this.inOrder(a.id, r.senderId, r.id.id, () => this.receive.reaction(a.id, r)));
    client.on('message_ack', (msg: WebMessageLike, ack: number) => this.inOrder(a.id, msg.to, msg.id.id, () => this.receive.ack(a.id, msg, ack)));
  }

  /** Publishes a customer's message, then moves the account's catch-up cursor past it. */
  private async received(accountId: string, msg: LiveWebMessage): Promise<void> {
    await this.receive.message(accountId, msg);
    // The message is on Kafka: a cursor that failed to move only makes the next catch-up fetch it again.
    await this.cursor.advance(accountId, msg.timestamp).catch((err: unknown) => this.log.warn({ accountId, err: (err as Error).message }, 'catch-up cursor not moved'));
  }

  /**
   * whatsapp-web.js emits `message` only for what arrives while connected: what customers wrote while
   * the client was down (a disconnect, a restart, a takeover) waits in the chats. After `ready`, every
   * one-to-one chat with unread messages or a last message not older than the cursor has its recent
   * messages (WHATSAPP_WEB_CATCHUP_LIMIT) fetched, and the customers' ones from the cursor's second on
   * go through the same chain and normalizer as live ones; deterministic event ids (channel, account,
   * stanza id) make a message seen both ways, or caught up twice, one event for the router. Chats
   * read on the phone meanwhile count too (unreadCount alone would miss them). First pairing (no
   * cursor): no history is imported, the cursor starts now.
   */
  private async catchUp(a: Account, client: WebClient): Promise<void> {
    const limit = this.config.WHATSAPP_WEB_CATCHUP_LIMIT;
    if (limit === 0) return;
    try {
      const since = await this.cursor.lastSeen(a.id);
      if (since === undefined) {
        await this.cursor.advance(a.id, Math.floor(Date.now() / 1000));
        return;
      }
      const chats = (await client.getChats()).filter((c) => !c.isGroup && (c.unreadCount > 0 || (c.timestamp ?? 0) >= since));
      let queued = 0;
      for (const chat of chats) {
        if (a.client !== client) return; // replaced meanwhile: the next ready catches up
        const missed = (await chat.fetchMessages({ limit }))
          .filter((m) => !m.fromMe && m.timestamp >= since)
          .sort((x, y) => x.timestamp - y.timestamp);
        if (missed.length === limit) this.log.warn({ accountId: a.id, limit }, 'catch-up: a chat has more missed messages than WHATSAPP_WEB_CATCHUP_LIMIT; older ones are not fetched');
        for (const m of missed) this.inOrder(a.id, m.from, m.id.id, () => this.received(a.id, m));
        queued += missed.length;
      }
      this.caughtUp.inc({ account: a.id }, queued);
      this.log.info({ accountId: a.id, since, chats: chats.length, messages: queued }, `WhatsApp linked device ${a.id}: catching up on ${queued} message(s) since the last one seen`);
    } catch (err) {
      // Messages not fetched now are fetched by the next ready (the cursor did not move past them).
      this.log.warn({ accountId: a.id, err: (err as Error).message }, 'linked-device catch-up failed');
    }
  }

  private inOrder(accountId: string, chat: string, ref: string, work: () => Promise<unknown>): void {
    const key = `${accountId}\u0000${chat}`;
    const next = (this.chats.get(key) ?? Promise.resolve())
      .then(work)
      .catch((err: unknown) => {
        // There is no provider redelivery in this mode: this event is lost (ADR 0421).
        this.log.error({ accountId, ref, err: (err as Error).message }, 'linked-device event NOT stored');
      });
    this.chats.set(key, next);
    void next.then(() => {
      if (this.chats.get(key) === next) this.chats.delete(key);
    });
  }

  private restart(a: Account, client: WebClient, reason: string): void {
    if (a.client !== client || this.stopping || !a.leased) return;
    a.client = undefined;
    a.qr = undefined;
    a.lastError = reason;
    a.attempts += 1;
    this.set(a, 'disconnected');
    const cap = this.config.WHATSAPP_WEB_RECONNECT_MAX_MS;
    const exp = Math.min(cap, this.config.WHATSAPP_WEB_RECONNECT_BASE_MS * 2 ** (a.attempts - 1));
    const delay = Math.round(exp / 2 + Math.random() * (exp / 2)); // "equal jitter": never sooner than half
    this.log.warn({ accountId: a.id, attempt: a.attempts, delayMs: delay, reason }, `WhatsApp linked device ${a.id}: restarting the client`);
    void client.destroy().catch(() => undefined);
    a.timer = setTimeout(() => this.start(a), delay);
    a.timer.unref();
  }

  private set(a: Account, state: LinkState): void {
    a.state = state;
    a.since = new Date();
    this.transitions.inc({ account: a.id, event: state });
    if (state !== 'pairing') this.log.info({ accountId: a.id, state }, `WhatsApp linked device ${a.id}: ${state}`);
  }
}
