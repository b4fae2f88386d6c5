import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { PersistenceModule, TENANT_DIRECTORY, type ConversationDoc, type MessageDoc, type OwnershipClaimDoc, type TenantDirectory } from '@omni/persistence';
import { RoutingDirectory } from '../routing/routing-directory';
import { ChangeTenantSettingsUseCase } from '../settings/change-tenant-settings.use-case';
import { ConversationReportQuery } from './conversation-report';
import { mongoUri, uniqueName } from '../../../../test/support/env';

const uri = mongoUri(uniqueName('conversation-report'));
const T0 = Date.parse('2026-11-02T09:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);
const RANGE = { from: at(-60), to: at(86_400) };

/**
 * Issue 14's reports on the real store: first response and resolution per language, channel and group,
 * and the resolution SLA (the tenant's `sla.resolutionSeconds`, or the group's own) judged from the
 * handoff — read from stored conversations, ownership logs and messages as the router writes them.
 */
describe('the conversation report per language, channel and group', () => {
  let app: INestApplicationContext;
  let report: ConversationReportQuery;
  let change: ChangeTenantSettingsUseCase;

  const conversation = (id: string, channel: string, language: string): ConversationDoc => ({
    _id: id, tenantId: 'acme', region: 'local', channel, accountId: 'acc', customerId: `cu-${id}`, channelUserId: `u-${id}`, state: 'bot', version: 1,
    language, lastMessageAt: at(0), createdAt: at(0), updatedAt: at(0),
  });
  const entry = (conversationId: string, version: number, state: OwnershipClaimDoc['state'], s: number, groupId?: string): OwnershipClaimDoc => ({
    _id: `${conversationId}:${version}`, tenantId: 'acme', conversationId, version, state, since: at(s), at: at(s), cause: `c${version}`,
    ...(groupId ? { groupId } : {}),
    ...(state === 'queued' ? { handoff: { at: at(s), messageId: 'm', reasons: [{ code: 'customer_requested', detail: '' }], summary: {} } } : {}),
  });
  const reply = (conversationId: string, kind: 'bot' | 'agent', s: number): MessageDoc => ({
    _id: `${conversationId}-${kind}-${s}`, tenantId: 'acme', conversationId, channel: 'whatsapp', accountId: 'acc', channelMessageId: `${conversationId}-${kind}-${s}`,
    direction: 'outbound', author: { kind }, type: 'text', text: 'hi', attachments: [], timestamp: at(s), createdAt: at(s), statusRank: 0, statusHistory: [],
  });

  beforeAll(async () => {
    @Module({ imports: [PersistenceModule.forRoot(uri)], providers: [ConversationReportQuery, RoutingDirectory, ChangeTenantSettingsUseCase] })
    class Reports {}
    app = await NestFactory.createApplicationContext(Reports, { logger: false, abortOnError: false });
    report = app.get(ConversationReportQuery);
    change = app.get(ChangeTenantSettingsUseCase);
    await app.get<TenantDirectory>(TENANT_DIRECTORY).create({ _id: 'acme', name: 'Acme' });
    await change.execute('acme', 'skillGroups', [{ id: 'es-team', languages: ['es'] }, { id: 'vip', resolutionSeconds: 3_600 }], 'api:acme admin');

    const db = app.get<Connection>(getConnectionToken()).db!;
    await db.collection<ConversationDoc>('conversations').insertMany([
      conversation('es-fast', 'whatsapp', 'es'), // handed off at 60 s, resolved at 600 s by es-team
      conversation('es-slow', 'whatsapp', 'es-MX'), // handed off at 10 s, resolved at 2,000 s by es-team
      conversation('es-open', 'email', 'es'), // handed off at 0 s, still with an agent of es-team
      conversation('en-bot', 'web', 'en'), // contained by the bot
      conversation('en-vip', 'web', 'en'), // handed off at 0 s to vip, resolved at 2,000 s (within its own 1 h)
    ]);
    await db.collection<OwnershipClaimDoc>('conversation_ownership').insertMany([
      entry('es-fast', 1, 'queued', 60, 'es-team'), entry('es-fast', 2, 'assigned', 90, 'es-team'), entry('es-fast', 3, 'resolved', 600),
      entry('es-slow', 1, 'queued', 10, 'es-team'), entry('es-slow', 2, 'resolved', 2_000),
      entry('es-open', 1, 'queued', 0, 'es-team'), entry('es-open', 2, 'assigned', 30, 'es-team'),
      entry('en-bot', 1, 'resolved', 120),
      entry('en-vip', 1, 'queued', 0, 'vip'), entry('en-vip', 2, 'resolved', 2_000),
    ]);
    await db.collection<MessageDoc>('messages').insertMany([
      reply('es-fast', 'bot', 5), reply('es-fast', 'agent', 100), reply('es-slow', 'bot', 3), reply('es-slow', 'agent', 70),
      reply('es-open', 'agent', 40), reply('en-bot', 'bot', 2), reply('en-vip', 'agent', 20),
    ]);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('gives first response and resolution per language, channel and group', async () => {
    const r = await report.execute('acme', RANGE);
    expect(r.conversations).toBe(5);
    expect(Object.keys(r.by.language)).toEqual(['en', 'es']);
    expect(r.by.language.es).toMatchObject({
      conversations: 3, firstResponse: { n: 3, p50Seconds: 5, p90Seconds: 40 }, agentFirstResponse: { n: 3, meanSeconds: (40 + 60 + 40) / 3 },
      resolution: { n: 2, p50Seconds: 600, p90Seconds: 2_000 }, containment: { contained: 0, resolved: 2 },
    });
    expect(r.by.language.en).toMatchObject({ conversations: 2, firstResponse: { n: 2, p50Seconds: 2 }, containment: { contained: 1, resolved: 2, rate: 0.5 } });
    expect(r.by.channel).toMatchObject({ whatsapp: { conversations: 2, resolution: { n: 2 } }, email: { conversations: 1, resolution: { n: 0 } }, web: { conversations: 2 } });
    expect(Object.keys(r.by.group)).toEqual(['bot', 'es-team', 'vip']);
    expect(r.by.group['es-team']).toMatchObject({ conversations: 3, agentFirstResponse: { n: 3 } });
  });

  it('judges the resolution SLA from the handoff once the tenant sets it, the group’s own target first', async () => {
    // Only the vip group has a target before the tenant sets one.
    expect((await report.execute('acme', RANGE)).resolutionSla).toEqual({ met: 1, breached: 0, pending: 0, breachRate: 0 });
    await change.execute('acme', 'sla', { firstResponseSeconds: 60, resolutionSeconds: 900 }, 'api:acme admin');
    const r = await report.execute('acme', RANGE);
    // es-fast 540 s after its handoff: met; es-slow 1,990 s: breached; es-open open for far longer than 900 s: breached; en-vip 2,000 s within 3,600 s: met.
    expect(r.resolutionSla).toEqual({ met: 2, breached: 2, pending: 0, breachRate: 0.5 });
    expect(r.by.language.es?.resolutionSla).toEqual({ met: 1, breached: 2, pending: 0, breachRate: 2 / 3 });
    expect(r.by.group.vip?.resolutionSla).toEqual({ met: 1, breached: 0, pending: 0, breachRate: 0 });
    expect(r.by.channel.email?.resolutionSla).toEqual({ met: 0, breached: 1, pending: 0, breachRate: 1 });
    expect(r.by.group.bot?.resolutionSla).toEqual({ met: 0, breached: 0, pending: 0, breachRate: null });
  });
});
