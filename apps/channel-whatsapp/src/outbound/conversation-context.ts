import { Inject, Injectable } from '@nestjs/common';
import { OutboundCommand, RetryableError } from '@omni/contracts';
import type { TemplateDef } from '@omni/channels';
import { CONVERSATION_REPOSITORY, ConversationRepository, LATEST_TENANT_SETTINGS, type LatestTenantSettings, MESSAGE_REPOSITORY, MessageRepository } from '@omni/persistence';

export interface SendContext {
  /** When the customer last wrote: opens the 24-hour window. */
  lastInboundAt?: Date;
  /** The conversation's language, for the template's language chain. */
  locale?: string;
  /** The provider's id (wamid) of the message being answered, when it is an inbound one. */
  replyToProviderId?: string;
  /**
   * The tenant's approved templates (its `whatsappTemplates` setting, ADR 0602) and the name of its
   * re-engagement template; absent when the tenant set none (the deployment's env list applies).
   */
  templates?: TenantTemplates;
}

export interface TenantTemplates {
  readonly defs: readonly TemplateDef[];
  readonly reengage?: string;
}

const parsedTemplates = new WeakMap<object, TenantTemplates>();

/**
 * The tenant's `whatsappTemplates` section as the registry takes it (validated when written; anything
 * else is skipped). The same section object (the settings reader caches it) gives the same result.
 */
export function tenantTemplates(section: unknown): TenantTemplates | undefined {
  if (!Array.isArray(section)) return undefined;
  const known = parsedTemplates.get(section);
  if (known) return known;
  const defs: TemplateDef[] = [];
  let reengage: string | undefined;
  for (const t of section as Record<string, unknown>[]) {
    if (typeof t?.name !== 'string' || typeof t.language !== 'string') continue;
    const category = typeof t.category === 'string' ? (t.category.toUpperCase() as TemplateDef['category']) : undefined;
    defs.push({ name: t.name, language: t.language, status: 'APPROVED', bodyParams: typeof t.bodyParams === 'number' ? t.bodyParams : 0, ...(category ? { category } : {}) });
    if (t.reengage === true) reengage = t.name;
  }
  const parsed = { defs, ...(reengage ? { reengage } : {}) };
  parsedTemplates.set(section, parsed);
  return parsed;
}

/** The port the transport reads its window and quoting facts through (faked in unit tests). */
export interface SendContextReader {
  read(cmd: OutboundCommand): Promise<SendContext>;
}
export const SEND_CONTEXT = Symbol('SEND_CONTEXT');

/**
 * The window, language and quote of a send: from the command's `context` when the router gave it
 * (the bot's answers), else read (never written) from what the router stored — the conversation's
 * `lastInboundAt` and language, and the customer message a reply quotes (our message ids are not
 * wamids, so the quote needs the lookup) — and the tenant's own templates from its settings.
 */
@Injectable()
export class StoredSendContext implements SendContextReader {
  constructor(
    @Inject(CONVERSATION_REPOSITORY) private readonly conversations: ConversationRepository,
    @Inject(MESSAGE_REPOSITORY) private readonly messages: MessageRepository,
    @Inject(LATEST_TENANT_SETTINGS) private readonly settings: Pick<LatestTenantSettings, 'of'>,
  ) {}

  async read(cmd: OutboundCommand): Promise<SendContext> {
    // The router passes what it knew (the bot's answers do): only what is missing is read back.
    const given = cmd.context;
    const needConversation = !given?.lastInboundAt;
    const needQuote = Boolean(cmd.replyToMessageId) && !given?.quotedChannelMessageId;
    try {
      const [conversation, quoted, settings] = await Promise.all([
        needConversation ? this.conversations.get(cmd.conversationId) : Promise.resolve(null),
        needQuote && cmd.replyToMessageId ? this.messages.get(cmd.replyToMessageId) : Promise.resolve(null),
        this.settings.of(cmd.tenantId),
      ]);
      const templates = tenantTemplates(settings.whatsappTemplates);
      const quotable = quoted?.direction === 'inbound' && quoted.conversationId === cmd.conversationId;
      const lastInboundAt = given?.lastInboundAt ?? conversation?.lastInboundAt;
      return {
        lastInboundAt: lastInboundAt ? new Date(lastInboundAt) : undefined,
        locale: given?.locale ?? conversation?.language,
        replyToProviderId: given?.quotedChannelMessageId ?? (quotable ? quoted.channelMessageId : undefined),
        ...(templates ? { templates } : {}),
      };
    } catch (err) {
      // A database hiccup must not turn into a permanently failed message.
      throw new RetryableError('store_unavailable', `conversation lookup failed: ${(err as Error).message}`);
    }
  }
}
