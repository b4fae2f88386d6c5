import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { FatalError, OutboundCommand } from '@omni/contracts';
import { CONVERSATION_REPOSITORY, LATEST_TENANT_SETTINGS, MESSAGE_REPOSITORY, PersistenceModule, TENANT_SETTINGS_STORE, type TenantSettingsStore } from '@omni/persistence';
import { GraphApiServer, startGraphApiServer } from '../../../../test/contract-servers/graph-api';
import { StoredSendContext } from './conversation-context';
import { WhatsAppTransport } from './whatsapp.transport';
import { mongoUri, uniqueName } from '../../../../test/support/env';

const uri = mongoUri(uniqueName('wa-templates'));
const PN = '106540352242923';
const TOKENS: Record<string, string> = { [PN]: 'token-of-the-number' };
const DAY = 86_400_000;

const command = (tenantId: string, conversationId: string, messageId: string): OutboundCommand => ({
  tenantId, region: 'local', channel: 'whatsapp', accountId: PN, conversationId, messageId,
  recipient: { channelUserId: '351910000001' }, author: { kind: 'agent', id: 'ana' }, createdAt: new Date().toISOString(),
  message: { type: 'text', text: 'A sua encomenda foi enviada', attachments: [] },
});

/**
 * Issue 12 #6: a tenant's `whatsappTemplates` setting is what its messages use once the customer's
 * 24-hour window has closed — its re-engagement template in the customer's language — read by the
 * channel's real send context from the real database; the deployment's env list (here: none) stays
 * for tenants that set none.
 */
describe('WhatsApp templates from the tenant settings', () => {
  let app: INestApplicationContext;
  let graph: GraphApiServer;
  let transport: WhatsAppTransport;
  let store: TenantSettingsStore;
  let db: Connection;

  beforeAll(async () => {
    graph = await startGraphApiServer({ numberTokens: TOKENS });
    app = await NestFactory.createApplicationContext(PersistenceModule.forRoot(uri), { logger: false, abortOnError: false });
    store = app.get(TENANT_SETTINGS_STORE);
    db = app.get(getConnectionToken());
    const context = new StoredSendContext(app.get(CONVERSATION_REPOSITORY), app.get(MESSAGE_REPOSITORY), app.get(LATEST_TENANT_SETTINGS));
    transport = new WhatsAppTransport(
      { WHATSAPP_API_BASE_URL: graph.url, WHATSAPP_API_VERSION: 'v23.0', WHATSAPP_HTTP_TIMEOUT_MS: 2_000, WHATSAPP_TEMPLATES: [], WHATSAPP_FALLBACK_TEMPLATE: 'reengage' },
      context,
      { accessTokenFor: async (id) => TOKENS[id] },
    );
    const at = new Date();
    for (const [id, tenantId] of [['conv-acme', 'acme'], ['conv-globex', 'globex']]) {
      await db.collection('conversations').insertOne({
        _id: id as never, tenantId, region: 'local', channel: 'whatsapp', accountId: PN, customerId: `cu-${id}`, channelUserId: '351910000001',
        state: 'assigned', language: 'pt-PT', lastInboundAt: new Date(at.getTime() - 2 * DAY), createdAt: at, updatedAt: at,
      });
    }
    await store.append({
      _id: 'acme:1', tenantId: 'acme', version: 1, section: 'whatsappTemplates', before: null, by: 'api:acme admin', at,
      after: null,
      settings: {
        whatsappTemplates: [
          { name: 'acme_follow_up', language: 'en', bodyParams: 1, reengage: true },
          { name: 'acme_follow_up', language: 'pt_PT', bodyParams: 1, reengage: true },
          { name: 'acme_promo', language: 'pt_PT', bodyParams: 0, category: 'marketing' },
        ],
      },
    });
  });

  afterAll(async () => {
    await app?.close();
    await graph?.close();
  });

  it("sends the tenant's re-engagement template in the customer's language once the window is closed", async () => {
    await transport.send(command('acme', 'conv-acme', 'msg-acme-1'));
    expect(graph.requests.map((r) => r.body)).toEqual([expect.objectContaining({
      type: 'template',
      template: { name: 'acme_follow_up', language: { code: 'pt_PT' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'A sua encomenda foi enviada' }] }] },
    })]);
  });

  it('leaves a tenant without the setting on the deployment list (here empty: refused without calling Meta)', async () => {
    graph.reset();
    const refused = await transport.send(command('globex', 'conv-globex', 'msg-globex-1')).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(FatalError);
    expect(graph.requests).toHaveLength(0);
  });
});
