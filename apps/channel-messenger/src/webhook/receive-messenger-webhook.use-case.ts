import { Inject, Injectable } from '@nestjs/common';
import { RetryableError, ValidationError } from '@omni/contracts';
import { type DecodeResult, MessengerVerifier, decodeMessengerWebhook, verifyHubSignature } from '@omni/channels';
import { MediaIngest, SendLedger, UnknownAccounts, parseJsonBody, publishDecoded } from '@omni/channel-kit';
import { EventPublisher } from '@omni/messaging';
import { rootLogger } from '@omni/telemetry';
import { MESSENGER_CONFIG, MessengerConfig } from '../config';
import { MessengerMediaSource } from '../media/messenger-media.source';
import { MessengerStatusResolver } from './status-resolver';
import { MessengerAccounts, MessengerPage } from '../accounts/messenger-accounts';

export interface ReceiveWebhookCommand {
  /** The bytes as received: the signature covers exactly these. */
  rawBody: Buffer | undefined;
  signature: string | undefined;
}

/**
 * One Page webhook POST: find the connected account of every Page it names (`entry[].id`), verify
 * the signature on the raw bytes with those Pages' app secrets (one Meta app may serve many Pages,
 * of one or several tenants), decode every entry and messaging event into its Page's tenant, map
 * statuses to our message ids, and resolve only once all events are on Kafka. Entries of a Page
 * nobody connected are counted and logged (once per Page), not produced.
 */
@Injectable()
export class ReceiveMessengerWebhookUseCase {
  private readonly log = rootLogger().child({ component: 'messenger-webhook' });
  /** The env's app: the handshake, and webhooks naming no connected Page. */
  private readonly verifier: MessengerVerifier;
  private readonly unknown = new UnknownAccounts('messenger', this.log, 'webhook items for a Messenger page no tenant connected (counted, not produced)');

  constructor(
    @Inject(MESSENGER_CONFIG) private readonly config: MessengerConfig,
    private readonly publisher: EventPublisher,
    private readonly statuses: MessengerStatusResolver,
    private readonly media: MediaIngest,
    private readonly mediaSource: MessengerMediaSource,
    private readonly accounts: MessengerAccounts,
    private readonly ledger: SendLedger,
  ) {
    this.verifier = new MessengerVerifier({ appSecret: config.MESSENGER_APP_SECRET, verifyToken: config.MESSENGER_VERIFY_TOKEN });
  }

  handshake(query: Record<string, string | string[] | undefined>): string {
    return this.verifier.verifyHandshake(query);
  }

  async execute(cmd: ReceiveWebhookCommand): Promise<{ messages: number; statuses: number; ignored: number }> {
    if (!cmd.rawBody?.length) throw new ValidationError('expected a JSON body (content-type application/json)');
    const payload = parseJsonBody(cmd.rawBody);
    const named = pageIdsOf(payload);
    const pages = await this.accounts.resolve(named);
    this.verify(cmd.rawBody, cmd.signature, pages);
    this.unknown.report(named, pages);
    const decoded = this.decode(payload, pages);
    await this.recordConfirmations(decoded);
    const resolved = await this.statuses.resolve(decoded);
    // Attachment URLs expire: the bytes are stored before the events are published (ADR 0420).
    const result = await this.media.storeAll(resolved, this.mediaSource);
    if (result.ignored.length) this.log.info({ ignored: result.ignored }, 'webhook items not turned into events');
    // Not on Kafka: a 503 (publish_failed) makes Meta redeliver.
    return { ...(await publishDecoded(this.publisher, result)), ignored: result.ignored.length };
  }

  /**
   * An echo naming our key (`message.metadata`, the messageId the Send API was given) is Meta's word
   * that it took the send: recorded in the ledger before the 200 (issue 13, ADR 0423), so that a send
   * whose outcome is unknown (the process was killed inside the request) is confirmed rather than sent
   * again. Meta sends one echo per message; a redelivered one is a duplicate the ledger keeps out.
   */
  private async recordConfirmations(result: DecodeResult): Promise<void> {
    const echoes = result.echoes ?? [];
    if (!echoes.length) return;
    await Promise.all(echoes.map((e) => this.ledger.confirm(e.messageId, e.channelMessageId, 'echo', 'messenger', e.accountId))).catch((err: unknown) => {
      throw new RetryableError('store_unavailable', `send confirmations not recorded: ${(err as Error).message}`);
    });
  }

  /** Signed by the app of every connected Page it names; naming none, by the env's app (nothing of an unsigned body is logged). */
  private verify(rawBody: Buffer, signature: string | undefined, pages: Map<string, MessengerPage>): void {
    const secrets = new Set([...pages.values()].map((p) => p.appSecret));
    if (secrets.size === 0) return this.verifier.verifySignature(rawBody, signature);
    for (const secret of secrets) verifyHubSignature(rawBody, signature, secret);
  }

  private decode(payload: unknown, pages: Map<string, MessengerPage>): DecodeResult {
    return decodeMessengerWebhook(payload, {
      tenantId: this.config.TENANT_ID,
      region: this.config.REGION,
      // Each entry goes to its Page's tenant; a Page nobody connected is reported as ignored.
      resolveAccount: (id) => {
        const p = pages.get(id);
        return p ? { accountId: p.accountId, tenantId: p.tenantId } : undefined;
      },
    });
  }
}

/** Every entry's Page id, read leniently (the decoder validates the shape after the signature check). */
export function pageIdsOf(payload: unknown): string[] {
  const ids: string[] = [];
  const entries = (payload as { entry?: unknown } | null)?.entry;
  for (const entry of Array.isArray(entries) ? entries : []) {
    const id = (entry as { id?: unknown } | null)?.id;
    if (typeof id === 'string' && id.length > 0 && id.length <= 64) ids.push(id);
  }
  return ids;
}
