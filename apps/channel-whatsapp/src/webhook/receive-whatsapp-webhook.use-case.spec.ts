import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CloudEvent, DeliveryStatus, InboundMessage, TOPICS } from '@omni/contracts';
import { hubSignature } from '@omni/channels';
import { MediaIngest, MemoryMediaStore, type SendDoc, type SendLedger, sha256Hex } from '@omni/channel-kit';
import { BreakerRegistry } from '@omni/resilience';
import type { WhatsAppMediaSource } from '../media/whatsapp-media.source';
import type { EventPublisher } from '@omni/messaging';
import { DEMO_SECRETS_KEK, newTestEnvelopes } from '@omni/secrets';
import { type ChannelAccountDoc, channelAccountAad } from '@omni/persistence';
import { registry } from '@omni/telemetry';
import { WhatsAppAccounts } from '../accounts/whatsapp-accounts';
import { WhatsAppConfigSchema } from '../config';
import { ReceiveWhatsAppWebhookUseCase } from './receive-whatsapp-webhook.use-case';

const FIXTURES = resolve(__dirname, '../../../../libs/channels/fixtures/whatsapp');
const SECRET = 'unit-app-secret';
const config = WhatsAppConfigSchema.parse({
  SECRETS_KEK: DEMO_SECRETS_KEK,
  WHATSAPP_VERIFY_TOKEN: 'unit-verify-token', WHATSAPP_APP_SECRET: SECRET, WHATSAPP_ACCESS_TOKEN: 'unit-access-token', WHATSAPP_PHONE_NUMBER_ID: '106540352242922',
});

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(300, 9)]);

/** A number connected through the API (channel_accounts), its credentials sealed as the router seals them. */
interface Connected { phoneNumberId: string; tenantId: string; appSecret: string }

function setup(opts: { failPublish?: boolean; failConfirm?: boolean; sends?: Record<string, string>; connected?: Connected[]; cfg?: typeof config; decided?: string[] } = {}) {
  const store = new MemoryMediaStore();
  const stored = store.objects;
  const media = new MediaIngest({ store, breakers: new BreakerRegistry(), limits: { maxBytes: 10_000, allowedTypes: ['image/*'] }, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, deadlineMs: 5_000, fetchesAtOnce: 4 });
  const fetched: string[] = [];
  const source = { fetch: async (a: { mediaId?: string }) => (fetched.push(a.mediaId ?? ''), { content: JPEG, contentType: 'image/jpeg' }) } as unknown as WhatsAppMediaSource;
  const published: { topic: string; events: CloudEvent[] }[] = [];
  const publisher = {
    publish: async (topic: string, events: CloudEvent | CloudEvent[]) => {
      if (opts.failPublish) throw new Error('broker down');
      published.push({ topic, events: Array.isArray(events) ? events : [events] });
    },
  } as unknown as EventPublisher;
  const confirmations: string[] = [];
  const ledger = {
    confirm: async (id: string, wamid: string, status: string) => {
      if (opts.failConfirm) throw new Error('store down');
      confirmations.push(`${id} ${wamid} ${status}`);
    },
    decidedHere: async (id: string) => opts.decided?.includes(id) ?? false,
    byProviderId: async (_c: string, _a: string, providerId: string) => {
      const id = opts.sends?.[providerId];
      return id ? ({ _id: id } as SendDoc) : null;
    },
  } as unknown as SendLedger;
  const { envelopes } = newTestEnvelopes();
  const rows = new Map<string, ChannelAccountDoc>();
  const lookups: string[] = [];
  const directory = {
    byExternalId: async (_channel: string, id: string) => (lookups.push(id), rows.get(id) ?? null),
  };
  const connect = async (c: Connected) => {
    const _id = `ca_${c.phoneNumberId}`;
    const secrets = await envelopes.seal({ accessToken: `token-of-${c.phoneNumberId}`, appSecret: c.appSecret }, channelAccountAad(_id));
    rows.set(c.phoneNumberId, { _id, tenantId: c.tenantId, channel: 'whatsapp', externalId: c.phoneNumberId, settings: {}, secrets, createdBy: 'test', createdAt: new Date(), updatedAt: new Date() });
  };
  const cfg = opts.cfg ?? config;
  const useCase = new ReceiveWhatsAppWebhookUseCase(cfg, publisher, ledger, media, source, new WhatsAppAccounts(directory, envelopes, cfg));
  const signed = (raw: string) => ({ rawBody: Buffer.from(raw), signature: hubSignature(raw, SECRET) });
  const events = (topic: string) => published.filter((p) => p.topic === topic).flatMap((p) => p.events);
  return { useCase, signed, events, stored, fetched, connect, lookups, confirmations };
}

const unknownCount = async () =>
  (await registry.getSingleMetric('omni_webhook_unknown_account_items_total')?.get())?.values.find((v) => v.labels.channel === 'whatsapp')?.value ?? 0;

describe('ReceiveWhatsAppWebhookUseCase', () => {
  const batched = readFileSync(resolve(FIXTURES, 'batched.json'), 'utf8');

  it('publishes every message and status of our number in a batched webhook and reports the rest', async () => {
    const { useCase, signed, events } = setup({ sends: { 'wamid.HBgLMTY1MDUwNTUxMjM0FQIAERgSOUTBOUND21': 'our-msg-21' } });
    const n = await useCase.execute(signed(batched));
    // the change of another number, and a status of a message the gateway never sent.
    expect(n).toEqual({ messages: 3, statuses: 1, ignored: 2 });
    const inbound = events(TOPICS.inbound) as CloudEvent<InboundMessage>[];
    expect(inbound.map((e) => e.data.message.channelMessageId)).toEqual(['wamid.BATCH1', 'wamid.BATCH2', 'wamid.BATCH3']);
    const statuses = events(TOPICS.status) as CloudEvent<DeliveryStatus>[];
    // A status without biz_opaque_callback_data is mapped back to our id through the send ledger.
    expect(statuses.map((e) => e.data.messageId)).toEqual(['our-msg-21']);
  });

  it('records a status naming our key as the provider\'s confirmation of the send before answering, once per send (issue 13)', async () => {
    const { useCase, signed, events, confirmations } = setup();
    const status = (wamid: string, state: string, ours?: string) => JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: 'WABA', changes: [{ field: 'messages', value: {
        messaging_product: 'whatsapp', metadata: { display_phone_number: '15550000000', phone_number_id: '106540352242922' },
        statuses: [{ id: wamid, status: state, timestamp: '1700000000', recipient_id: '16505551234', ...(ours ? { biz_opaque_callback_data: ours } : {}) }],
      } }] }],
    });
    await useCase.execute(signed(status('wamid.OURS1', 'sent', 'msg-1')));
    await useCase.execute(signed(status('wamid.OURS1', 'delivered', 'msg-1')));
    expect(confirmations).toEqual(['msg-1 wamid.OURS1 sent']);
    expect((events(TOPICS.status) as CloudEvent<DeliveryStatus>[]).map((e) => `${e.data.messageId} ${e.data.status}`)).toEqual(['msg-1 sent', 'msg-1 delivered']);

    // A send whose outcome this process recorded needs no confirmation (no reconcile can ask for it); its statuses still go out.
    const decided = setup({ decided: ['msg-3'] });
    await decided.useCase.execute(decided.signed(status('wamid.OURS3', 'sent', 'msg-3')));
    expect(decided.confirmations).toEqual([]);
    expect((decided.events(TOPICS.status) as CloudEvent<DeliveryStatus>[]).map((e) => `${e.data.messageId} ${e.data.status}`)).toEqual(['msg-3 sent']);

    // Not recorded: a 503, and Meta redelivers.
    const down = setup({ failConfirm: true });
    await expect(down.useCase.execute(down.signed(status('wamid.OURS2', 'sent', 'msg-2')))).rejects.toMatchObject({ code: 'store_unavailable', retryable: true });
    expect(down.events(TOPICS.status)).toHaveLength(0);
  });

  it('stores an image before publishing and references the stored copy from the event', async () => {
    const { useCase, signed, events, stored, fetched } = setup();
    await useCase.execute(signed(readFileSync(resolve(FIXTURES, 'image.json'), 'utf8')));
    expect(fetched).toEqual(['1003383421387256']);
    const [event] = events(TOPICS.inbound) as CloudEvent<InboundMessage>[];
    expect(event.data.message.attachments[0]).toMatchObject({ kind: 'image', mediaId: '1003383421387256', storeId: sha256Hex(JPEG), size: JPEG.length, caption: 'This is a caption' });
    expect(stored.get(`${config.TENANT_ID}:${sha256Hex(JPEG)}`)?.content.equals(JPEG)).toBe(true);
  });

  it('rejects a bad or missing signature before decoding anything', async () => {
    const { useCase, events } = setup();
    await expect(useCase.execute({ rawBody: Buffer.from(batched), signature: undefined })).rejects.toMatchObject({ code: 'signature_invalid' });
    await expect(useCase.execute({ rawBody: Buffer.from(batched), signature: hubSignature(batched, 'other') })).rejects.toMatchObject({ code: 'signature_invalid' });
    expect(events(TOPICS.inbound)).toHaveLength(0);
  });

  it('names the problem of a malformed body (→ 400)', async () => {
    const { useCase, signed } = setup();
    await expect(useCase.execute(signed('{"object":"page","entry":[]}'))).rejects.toMatchObject({ code: 'validation_failed', message: expect.stringContaining('whatsapp_business_account') });
    await expect(useCase.execute({ rawBody: undefined, signature: undefined })).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('turns a failed publish into a retryable error (→ 503, Meta redelivers)', async () => {
    const { useCase, signed } = setup({ failPublish: true });
    await expect(useCase.execute(signed(batched))).rejects.toMatchObject({ code: 'publish_failed', retryable: true });
  });

  it('refuses a webhook naming no connected number in a linked-device-only deployment (no Cloud API secrets)', async () => {
    const linkedOnly = { ...config, WHATSAPP_APP_SECRET: undefined, WHATSAPP_VERIFY_TOKEN: undefined };
    const { useCase, signed, events } = setup({ cfg: linkedOnly });
    await expect(useCase.execute(signed(batched))).rejects.toMatchObject({ code: 'unauthorized' });
    expect(events(TOPICS.inbound)).toHaveLength(0);
    expect(() => useCase.handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'x', 'hub.challenge': '1' })).toThrow(expect.objectContaining({ code: 'not_found' }));
  });

  it('routes each item to its number’s tenant, verified with that account’s app secret', async () => {
    const META_APP = 'one-meta-app-serving-two-tenants';
    const t = setup({ sends: { 'wamid.HBgLMTY1MDUwNTUxMjM0FQIAERgSOUTBOUND21': 'our-msg-21' } });
    await t.connect({ phoneNumberId: '106540352242922', tenantId: 'acme', appSecret: META_APP });
    await t.connect({ phoneNumberId: '112233445566778', tenantId: 'globex', appSecret: META_APP });
    const n = await t.useCase.execute({ rawBody: Buffer.from(batched), signature: hubSignature(batched, META_APP) });
    // The 3 messages of acme's number and the 2 of globex's (which the env-only setup ignored).
    expect(n).toMatchObject({ messages: 5, statuses: 1, ignored: 1 });
    const inbound = t.events(TOPICS.inbound) as CloudEvent<InboundMessage>[];
    expect(inbound.map((e) => `${e.data.tenantId}:${e.data.accountId}`)).toEqual([
      ...Array<string>(3).fill('acme:106540352242922'), ...Array<string>(2).fill('globex:112233445566778'),
    ]);
    expect(inbound.every((e) => e.tenantid === e.data.tenantId)).toBe(true);
    // The env app's secret no longer signs for numbers connected to another app.
    const bySelf = setup();
    await bySelf.connect({ phoneNumberId: '106540352242922', tenantId: 'acme', appSecret: META_APP });
    await expect(bySelf.useCase.execute(bySelf.signed(batched))).rejects.toMatchObject({ code: 'signature_invalid' });
    expect(bySelf.events(TOPICS.inbound)).toHaveLength(0);
  });

  it('refuses a body signed by one tenant’s app naming another tenant’s number', async () => {
    const t = setup();
    await t.connect({ phoneNumberId: '106540352242922', tenantId: 'acme', appSecret: 'acme-meta-app-secret' });
    await t.connect({ phoneNumberId: '112233445566778', tenantId: 'globex', appSecret: 'globex-meta-app-secret' });
    await expect(t.useCase.execute({ rawBody: Buffer.from(batched), signature: hubSignature(batched, 'acme-meta-app-secret') })).rejects.toMatchObject({ code: 'signature_invalid' });
    expect(t.events(TOPICS.inbound)).toHaveLength(0);
  });

  it('counts every item of a number nobody connected, looks it up once per cache period, and produces none of them', async () => {
    const t = setup();
    const before = await unknownCount();
    for (let i = 0; i < 3; i++) await t.useCase.execute(t.signed(batched)); // 112233445566778 is nobody's here
    expect(await unknownCount()).toBe(before + 3);
    expect(t.lookups.filter((id) => id === '112233445566778')).toHaveLength(1);
    const inbound = t.events(TOPICS.inbound) as CloudEvent<InboundMessage>[];
    expect(inbound.every((e) => e.data.accountId === '106540352242922' && e.data.tenantId === config.TENANT_ID)).toBe(true);
  });

  it('refuses a body naming too many numbers before any lookup', async () => {
    const t = setup();
    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: Array.from({ length: 51 }, (_, i) => ({ field: 'messages', value: { metadata: { phone_number_id: `9${i}` } } })) }] });
    await expect(t.useCase.execute(t.signed(body))).rejects.toMatchObject({ code: 'validation_failed' });
    expect(t.lookups).toHaveLength(0);
  });

  it('answers the handshake with the challenge only for the right token', () => {
    const { useCase } = setup();
    expect(useCase.handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'unit-verify-token', 'hub.challenge': '42' })).toBe('42');
    expect(() => useCase.handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'x', 'hub.challenge': '42' })).toThrow('verify_token');
  });
});
