import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError, OmniError, RetryableError, ValidationError } from '@omni/contracts';
import { type DecodeResult, WhatsAppVerifier, decodeWhatsAppWebhook, verifyHubSignature } from '@omni/channels';
import { MediaIngest, SendLedger, UnknownAccounts, parseJsonBody, publishDecoded } from '@omni/channel-kit';
import { EventPublisher } from '@omni/messaging';
import { rootLogger } from '@omni/telemetry';
import { LRUCache } from 'lru-cache';
import { WHATSAPP_CONFIG, WhatsAppConfig } from '../config';
import { WhatsAppMediaSource } from '../media/whatsapp-media.source';
import { WhatsAppAccount, WhatsAppAccounts } from '../accounts/whatsapp-accounts';

export interface ReceiveWebhookCommand {
  /** The bytes as received: the signature covers exactly these. */
  rawBody: Buffer | undefined;
  signature: string | undefined;
}

/** How long a status webhook waits for the outcome of a send this process is finishing (well inside Meta's timeout). */
const DECIDED_WAIT_MS = 2_000;

/**
 * One Cloud API webhook POST: find the connected account of every phone_number_id it names, verify
 * the signature on the raw bytes with those accounts' app secrets (one Meta app may serve many
 * numbers, of one or several tenants), decode every entry, change, message and status into its
 * account's tenant, store its media, and resolve only once all of them are on Kafka (the 200 means
 * "stored"). Items of a number nobody connected are counted and logged (once per number), not produced.
 */
@Injectable()
export class ReceiveWhatsAppWebhookUseCase {
  private readonly log = rootLogger().child({ component: 'whatsapp-webhook' });
  /** The env's app (handshake, and webhooks naming no connected number); undefined in a linked-device-only deployment. */
  private readonly verifier?: WhatsAppVerifier;
  private readonly unknown = new UnknownAccounts('whatsapp', this.log, 'webhook items for a WhatsApp number no tenant connected (counted, not produced)');
  /** Sends whose confirmation this process recorded (bounded): their later statuses need no write. */
  private readonly confirmed = new LRUCache<string, true>({ max: 10_000 });

  constructor(
    @Inject(WHATSAPP_CONFIG) private readonly config: WhatsAppConfig,
    private readonly publisher: EventPublisher,
    private readonly ledger: SendLedger,
    private readonly media: MediaIngest,
    private readonly mediaSource: WhatsAppMediaSource,
    private readonly accounts: WhatsAppAccounts,
  ) {
    if (config.WHATSAPP_APP_SECRET && config.WHATSAPP_VERIFY_TOKEN) {
      this.verifier = new WhatsAppVerifier({ appSecret: config.WHATSAPP_APP_SECRET, verifyToken: config.WHATSAPP_VERIFY_TOKEN });
    }
  }

  handshake(query: Record<string, string | string[] | undefined>): string {
    return this.cloudApi().verifyHandshake(query);
  }

  async execute(cmd: ReceiveWebhookCommand): Promise<{ messages: number; statuses: number; ignored: number }> {
    if (!cmd.rawBody?.length) throw new ValidationError('expected a JSON body (content-type application/json)');
    const payload = parseJsonBody(cmd.rawBody);
    const named = phoneNumberIdsOf(payload);
    const accounts = await this.accounts.resolve(named);
    this.verify(cmd.rawBody, cmd.signature, accounts);
    this.unknown.report(named, accounts);
    const decoded = await this.withOurMessageIds(this.decode(payload, accounts));
    await this.recordConfirmations(decoded);
    // Attachments are fetched and stored before anything is published (ADR 0420): the events reference the stored copy.
    const result = await this.media.storeAll(decoded, this.mediaSource);
    if (result.ignored.length) this.log.info({ ignored: result.ignored }, 'webhook items not turned into events');
    // Not on Kafka: a 503 (publish_failed) makes Meta redeliver.
    return { ...(await publishDecoded(this.publisher, result)), ignored: result.ignored.length };
  }

  /**
   * Statuses normally carry our id (biz_opaque_callback_data); one without it is mapped back through
   * the send ledger. A status of a message the gateway did not send (another client on the number) is
   * reported as ignored: produced, the router could never fold it and would retry it into the DLQ.
   */
  private async withOurMessageIds(result: DecodeResult): Promise<DecodeResult> {
    const statuses: DecodeResult['statuses'] = [];
    const ignored = [...result.ignored];
    for (const s of result.statuses) {
      if (!s.channelMessageId || s.messageId !== s.channelMessageId) {
        statuses.push(s);
        continue;
      }
      const send = await this.ledger.byProviderId('whatsapp', s.accountId, s.channelMessageId).catch((err: unknown) => {
        throw new RetryableError('store_unavailable', `send ledger lookup failed: ${(err as Error).message}`);
      });
      if (send) statuses.push({ ...s, messageId: send._id });
      else ignored.push({ reason: `${s.status} for a message the gateway did not send`, ref: s.channelMessageId });
    }
    return { ...result, statuses, ignored };
  }

  /**
   * A status naming our key (`biz_opaque_callback_data`) is the provider's word that it accepted the
   * send: recorded in the ledger before the 200 (issue 13), so that a send whose outcome is unknown (the
   * process was killed inside the request) is confirmed rather than sent again. The first status of a
   * send is written; the later ones (delivered, read) are duplicates the ledger keeps out (insert-only),
   * and this process skips those it wrote itself.
   */
  private async recordConfirmations(result: DecodeResult): Promise<void> {
    const ours = result.statuses.filter((s) => s.channelMessageId && s.messageId !== s.channelMessageId && !this.confirmed.has(s.messageId));
    // Not needed for a send whose outcome this process recorded (or is writing: waited for briefly): only a
    // claim without an outcome is reconciled.
    const decided = await Promise.all(ours.map((s) => this.ledger.decidedHere(s.messageId, DECIDED_WAIT_MS)));
    const todo = ours.filter((_, i) => !decided[i]);
    if (!todo.length) return;
    await Promise.all(todo.map((s) => this.ledger.confirm(s.messageId, s.channelMessageId as string, s.status, 'whatsapp', s.accountId))).catch((err: unknown) => {
      throw new RetryableError('store_unavailable', `send confirmations not recorded: ${(err as Error).message}`);
    });
    for (const s of todo) this.confirmed.set(s.messageId, true);
  }

  /** Signed by the app of every connected number it names; naming none, by the env's app (nothing of an unsigned body is logged). */
  private verify(rawBody: Buffer, signature: string | undefined, accounts: Map<string, WhatsAppAccount>): void {
    const secrets = new Set([...accounts.values()].map((a) => a.appSecret));
    if (secrets.size === 0) {
      if (!this.verifier) throw new OmniError('unauthorized', 'the webhook names no connected WhatsApp number', false);
      this.verifier.verifySignature(rawBody, signature);
      return;
    }
    for (const secret of secrets) verifyHubSignature(rawBody, signature, secret);
  }

  private cloudApi(): WhatsAppVerifier {
    if (!this.verifier) throw new NotFoundError('WhatsApp Cloud API webhook (this deployment runs linked-device accounts only)');
    return this.verifier;
  }

  private decode(payload: unknown, accounts: Map<string, WhatsAppAccount>): DecodeResult {
    return decodeWhatsAppWebhook(payload, {
      tenantId: this.config.TENANT_ID,
      region: this.config.REGION,
      // Each item goes to its number's tenant; a number nobody connected is reported as ignored.
      resolveAccount: (id) => {
        const a = accounts.get(id);
        return a ? { accountId: a.accountId, tenantId: a.tenantId } : undefined;
      },
    });
  }
}

/** Every change's metadata.phone_number_id, read leniently (the decoder validates the shape after the signature check). */
export function phoneNumberIdsOf(payload: unknown): string[] {
  const ids: string[] = [];
  const entries = (payload as { entry?: unknown } | null)?.entry;
  for (const entry of Array.isArray(entries) ? entries : []) {
    const changes = (entry as { changes?: unknown } | null)?.changes;
    for (const change of Array.isArray(changes) ? changes : []) {
      const id = (change as { value?: { metadata?: { phone_number_id?: unknown } } } | null)?.value?.metadata?.phone_number_id;
      if (typeof id === 'string' && id.length > 0 && id.length <= 64) ids.push(id);
    }
  }
  return ids;
}
