import { Body, Controller, Get, Inject, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '@omni/contracts';
import {
  CONVERSATION_REPOSITORY, CUSTOMER_REPOSITORY, CUSTOMER_TIER_REPOSITORY, ConversationRepository, CustomerDoc, CustomerLinkDoc, CustomerRepository, CustomerTierRepository,
  MESSAGE_REPOSITORY, MessageDoc,
  MessageRepository, VERIFIED_CONTACT_REPOSITORY, VerifiedContactDoc, VerifiedContactRepository,
} from '@omni/persistence';
import { AuthGuard, Caller, CallerOf, Requires } from '@omni/auth';
import { normalizeContact } from './contacts';
import { CustomerIdentities } from './customer-identities';
import { parse } from '@omni/contracts';
import { openApi } from '@omni/platform';

const MergeBody = z.object({ customerId: z.string().min(1).max(128) }).strict();
const ContactBody = z.object({ kind: z.enum(['email', 'phone']), value: z.string().min(3).max(254) }).strict();
const TierBody = z.object({ vip: z.boolean(), priority: z.number().int().min(0).max(100).default(0) }).strict();
const SearchQuery = z.object({ q: z.string().trim().min(2).max(128), limit: z.coerce.number().int().min(1).max(50).default(10) }).strict();
const HistoryQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(500) }).strict();

interface CustomerView {
  profileId: string;
  identities: CustomerDoc[];
  verifiedContacts: Pick<VerifiedContactDoc, 'kind' | 'value' | 'customerId' | 'source' | 'at'>[];
  links: CustomerLinkDoc[];
  /** Queue standing over the profile: VIPs are served first, then higher priority (0–100). */
  tier: { vip: boolean; priority: number };
}

interface HistoryView {
  profileId: string;
  identityIds: string[];
  conversations: { _id: string; channel: string; customerId: string; state: string; createdAt: Date; lastMessageAt: Date }[];
  messages: MessageDoc[];
}

@ApiTags('customers')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('v1/customers')
export class CustomersController {
  constructor(
    @Inject(CUSTOMER_REPOSITORY) private readonly customers: CustomerRepository,
    @Inject(CONVERSATION_REPOSITORY) private readonly conversations: ConversationRepository,
    @Inject(MESSAGE_REPOSITORY) private readonly messages: MessageRepository,
    @Inject(VERIFIED_CONTACT_REPOSITORY) private readonly contacts: VerifiedContactRepository,
    private readonly identities: CustomerIdentities,
    @Inject(CUSTOMER_TIER_REPOSITORY) private readonly tiers: CustomerTierRepository,
  ) {}

  @Get()
  @Requires('customers.read')
  @ApiOperation({ summary: 'Find customers: by id, a channel identity starting with q (phone digits, email, user id) or a display name containing it; most recently seen first (the merge screen)' })
  @ApiQuery({ name: 'q', required: true, schema: { type: 'string', minLength: 2, maxLength: 128 } })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 50, default: 10 } })
  search(@CallerOf() caller: Caller, @Query() query: unknown): Promise<CustomerDoc[]> {
    const { q, limit } = parse(SearchQuery, query, 'query');
    return this.customers.search(caller.tenantId, q, limit);
  }

  @Get(':id')
  @Requires('customers.read')
  @ApiOperation({ summary: 'A customer: every linked channel identity, verified contacts and how they were linked' })
  async get(@CallerOf() caller: Caller, @Param('id') id: string): Promise<CustomerView> {
    await this.mustExist(caller.tenantId, id);
    const p = await this.identities.profile(caller.tenantId, id);
    const [contacts, tiers] = await Promise.all([this.contacts.ofCustomers(p.identityIds), this.tiers.of(caller.tenantId, p.identityIds)]);
    return {
      profileId: p.profileId,
      identities: await this.customers.getMany(caller.tenantId, p.identityIds),
      verifiedContacts: contacts.map(({ kind, value, customerId, source, at }) => ({ kind, value, customerId, source, at })),
      links: p.links,
      tier: { vip: tiers.some((t) => t.vip), priority: tiers.reduce((m, t) => Math.max(m, t.priority), 0) },
    };
  }

  @Get(':id/history')
  @Requires('customers.read')
  @ApiOperation({ summary: 'The unified history: every conversation and message of the customer across channels, oldest first' })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 500 } })
  async history(@CallerOf() caller: Caller, @Param('id') id: string, @Query() query: unknown): Promise<HistoryView> {
    const { limit } = parse(HistoryQuery, query, 'query');
    await this.mustExist(caller.tenantId, id);
    const p = await this.identities.profile(caller.tenantId, id);
    const convs = await this.conversations.ofCustomers(caller.tenantId, p.identityIds, 1_000);
    return {
      profileId: p.profileId,
      identityIds: p.identityIds,
      conversations: convs.map((c) => ({ _id: c._id, channel: c.channel, customerId: c.customerId, state: c.state, createdAt: c.createdAt, lastMessageAt: c.lastMessageAt })),
      messages: convs.length ? await this.messages.ofConversations(convs.map((c) => c._id), limit) : [],
    };
  }

  @Post(':id/merge')
  @Requires('customers.link')
  @ApiOperation({ summary: 'Merge another customer into this one (an agent confirmed they are the same person); messages are never moved' })
  @ApiBody({ schema: openApi(MergeBody) })
  async merge(@CallerOf() caller: Caller, @Param('id') id: string, @Body() body: unknown): Promise<CustomerView> {
    const other = parse(MergeBody, body, 'body').customerId;
    if (other === id) throw new ValidationError('invalid body', [{ path: 'customerId', message: 'cannot merge a customer with itself' }]);
    await this.mustExist(caller.tenantId, id);
    await this.mustExist(caller.tenantId, other);
    await this.identities.merge(caller.tenantId, id, other, `api:${caller.keyName}`);
    return this.get(caller, id);
  }

  @Post(':id/verified-contacts')
  @Requires('customers.link')
  @ApiOperation({ summary: 'Record an email or phone an agent verified; another customer with the same verified contact is linked' })
  @ApiBody({ schema: openApi(ContactBody) })
  async verify(@CallerOf() caller: Caller, @Param('id') id: string, @Body() body: unknown): Promise<CustomerView> {
    const { kind, value } = parse(ContactBody, body, 'body');
    const normalized = normalizeContact(kind, value);
    if (!normalized) throw new ValidationError('invalid body', [{ path: 'value', message: `not a valid ${kind}` }]);
    await this.mustExist(caller.tenantId, id);
    await this.identities.verified(caller.tenantId, id, { kind, value: normalized }, `api:${caller.keyName}`);
    return this.get(caller, id);
  }

  @Put(':id/tier')
  @Requires('customers.tier')
  @ApiOperation({ summary: 'Make a customer VIP and/or set their priority (0–100): waiting conversations are served VIP first, then by priority, then by age. Applies to every linked identity of the profile' })
  @ApiBody({ schema: openApi(TierBody) })
  async setTier(@CallerOf() caller: Caller, @Param('id') id: string, @Body() body: unknown): Promise<CustomerView> {
    const tier = parse(TierBody, body, 'body');
    await this.mustExist(caller.tenantId, id);
    const p = await this.identities.profile(caller.tenantId, id);
    await this.tiers.set(caller.tenantId, p.identityIds, { ...tier, by: `api:${caller.keyName}`, at: new Date() });
    return this.get(caller, id);
  }

  /** Another tenant's customer is "not found", like a conversation. */
  private async mustExist(tenantId: string, id: string): Promise<void> {
    if (!(await this.customers.get(tenantId, id))) throw new NotFoundError(`customer ${id}`);
  }
}
