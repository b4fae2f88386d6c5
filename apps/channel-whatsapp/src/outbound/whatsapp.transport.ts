import { FatalError, OutboundCommand } from '@omni/contracts';
import { TemplateRegistry, encodeWhatsApp, mapWhatsAppError, planWhatsAppSend } from '@omni/channels';
import { ChannelTransport, MessageParts, Pace, callProviderTraced, unpaced } from '@omni/channel-kit';
import type { WhatsAppConfig } from '../config';
import type { SendContextReader, TenantTemplates } from './conversation-context';
import type { WhatsAppAccessTokens } from '../accounts/whatsapp-accounts';

export type WhatsAppTransportConfig = Pick<
  WhatsAppConfig,
  'WHATSAPP_API_BASE_URL' | 'WHATSAPP_API_VERSION' | 'WHATSAPP_HTTP_TIMEOUT_MS' | 'WHATSAPP_TEMPLATES' | 'WHATSAPP_FALLBACK_TEMPLATE'
>;

/**
 * Cloud API sends: the 24-hour window decides free text or the fallback template, the lib's encoder
 * builds the Graph requests, each goes out with a hard timeout, and a failure becomes a typed error
 * (throttling codes retryable with Meta's wait, re-engagement 131047 a clear `outside_window`).
 * Each command leaves from its own number (`accountId`) with that number's access token (ADR 0600).
 */
export class WhatsAppTransport implements ChannelTransport {
  readonly channel = 'whatsapp' as const;
  readonly pacesRequests = true;
  private readonly templates: TemplateRegistry;
  /** One registry per tenant settings version read (the reader keeps the same object while it caches it). */
  private readonly tenantRegistries = new WeakMap<TenantTemplates, TemplateRegistry>();
  /**
   * Parts already accepted per message: a long text is several requests, and an in-place retry after
   * part 2 failed must not send part 1 again.
   */
  private readonly parts = new MessageParts();

  constructor(
    private readonly config: WhatsAppTransportConfig,
    private readonly context: SendContextReader,
    private readonly tokens: WhatsAppAccessTokens,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.templates = new TemplateRegistry(config.WHATSAPP_TEMPLATES);
  }

  /**
   * Every Cloud API request of a send carries its messageId as `biz_opaque_callback_data`, echoed on each
   * status: a send of one request is reconciled by it. A send of several (a split text, several media)
   * is not — a status says only that one of its parts was taken, not which: it stays at-most-once.
   */
  reconcilable(cmd: OutboundCommand): boolean {
    try {
      return encodeWhatsApp(cmd, { apiVersion: this.config.WHATSAPP_API_VERSION, phoneNumberId: cmd.accountId }).length === 1;
    } catch {
      return false;
    }
  }

  async send(cmd: OutboundCommand, pace: Pace = unpaced): Promise<{ providerMessageId?: string }> {
    const phoneNumberId = cmd.accountId;
    const accessToken = await this.tokens.accessTokenFor(phoneNumberId);
    if (!accessToken) throw new FatalError('unknown_account', `no tenant connected the WhatsApp phone number ${phoneNumberId} (or it has no access token)`);
    const ctx = await this.context.read(cmd);
    const planned = planWhatsAppSend(cmd, {
      lastCustomerMessageAt: ctx.lastInboundAt,
      now: this.now(),
      templates: ctx.templates ? this.registryOf(ctx.templates) : this.templates,
      fallbackTemplate: ctx.templates?.reengage ?? this.config.WHATSAPP_FALLBACK_TEMPLATE,
      customerLocale: ctx.locale,
    });
    const { replyToMessageId: _ours, ...rest } = planned;
    const requests = encodeWhatsApp(ctx.replyToProviderId ? { ...rest, replyToMessageId: ctx.replyToProviderId } : rest, {
      apiVersion: this.config.WHATSAPP_API_VERSION,
      phoneNumberId,
    });
    return this.parts.send(cmd.messageId, requests, async (req) => {
      const res = await callProviderTraced(req, pace, {
        span: 'whatsapp send', messageId: cmd.messageId, baseUrl: this.config.WHATSAPP_API_BASE_URL, bearer: accessToken,
        timeoutMs: this.config.WHATSAPP_HTTP_TIMEOUT_MS, mapError: mapWhatsAppError,
      });
      return wamidOf(res.body);
    });
  }

  /** The tenant's templates (its settings) replace the deployment's env list for its sends. */
  private registryOf(t: TenantTemplates): TemplateRegistry {
    let registry = this.tenantRegistries.get(t);
    if (!registry) {
      registry = new TemplateRegistry(t.defs);
      this.tenantRegistries.set(t, registry);
    }
    return registry;
  }
}


/** `{ messages: [{ id: "wamid…" }] }` is the documented success body. */
function wamidOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const messages = (body as { messages?: unknown }).messages;
  if (!Array.isArray(messages)) return undefined;
  const first: unknown = messages[0];
  return typeof first === 'object' && first !== null && typeof (first as { id?: unknown }).id === 'string' ? (first as { id: string }).id : undefined;
}
