import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { MediaIngest, MemoryMediaStore, type SendLedger, sha256Hex } from '@omni/channel-kit';
import { BreakerRegistry } from '@omni/resilience';
import { MessengerMediaSource } from '../media/messenger-media.source';
import { CloudEvent, InboundMessage, TOPICS } from '@omni/contracts';
import { type DecodeResult, hubSignature } from '@omni/channels';
import type { EventPublisher } from '@omni/messaging';
import { DEMO_SECRETS_KEK, newTestEnvelopes } from '@omni/secrets';
import { type ChannelAccountDoc, channelAccountAad } from '@omni/persistence';
import { registry } from '@omni/telemetry';
import { MessengerConfigSchema } from '../config';
import { MessengerAccounts } from '../accounts/messenger-accounts';
import { ReceiveMessengerWebhookUseCase } from './receive-messenger-webhook.use-case';
import type { MessengerStatusResolver } from './status-resolver';

const SECRET = 'unit-app-secret';
const config = MessengerConfigSchema.parse({
  SECRETS_KEK: DEMO_SECRETS_KEK,
  MESSENGER_VERIFY_TOKEN: 'unit-verify-token', MESSENGER_APP_SECRET: SECRET, MESSENGER_PAGE_ACCESS_TOKEN: 'unit-page-token', MESSENGER_PAGE_ID: '104567891234567',
});

const store = new MemoryMediaStore();

/** A Page connected through the API (channel_accounts), its credentials sealed as the router seals them. */
interface Connected { pageId: string; tenantId: string; appSecret: string }

function setup(failPublish = false, cfg = config, connected: Connected[] = [], failLedger = false) {
  // The send ledger's confirmations (echoes naming our key, issue 13).
  const confirmed: string[] = [];
  const ledger = {
    confirm: async (id: string, mid: string, status: string, channel: string, account: string) => {
      if (failLedger) throw new Error('store down');
      confirmed.push(`${id} ${mid} ${status} ${channel} ${account}`);
    },
  } as unknown as SendLedger;
  const published: { topic: string; events: CloudEvent[] }[] = [];
  const publisher = {
    publish: async (topic: string, events: CloudEvent | CloudEvent[]) => {
      if (failPublish) throw new Error('broker down');
      published.push({ topic, events: Array.isArray(events) ? events : [events] });
    },
  } as unknown as EventPublisher;
  // Statuses pass through unchanged here; the resolver has its own spec.
  const statuses = { resolve: async (r: DecodeResult) => r } as unknown as MessengerStatusResolver;
  const media = new MediaIngest({ store, breakers: new BreakerRegistry(), limits: { maxBytes: 10_000, allowedTypes: ['image/*'] }, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, deadlineMs: 5_000, fetchesAtOnce: 4 });
  const { envelopes } = newTestEnvelopes();
  const rows = new Map<string, ChannelAccountDoc>();
  const directory = { byExternalId: async (_channel: string, id: string) => rows.get(id) ?? null };
  const connect = async (c: Connected) => {
    const _id = `ca_${c.pageId}`;
    const secrets = await envelopes.seal({ pageAccessToken: `token-of-${c.pageId}`, appSecret: c.appSecret }, channelAccountAad(_id));
    rows.set(c.pageId, { _id, tenantId: c.tenantId, channel: 'messenger', externalId: c.pageId, settings: {}, secrets, createdBy: 'test', createdAt: new Date(), updatedAt: new Date() });
  };
  const ready = Promise.all(connected.map(connect));
  const useCase = new ReceiveMessengerWebhookUseCase(cfg, publisher, statuses, media, new MessengerMediaSource(cfg), new MessengerAccounts(directory, envelopes, cfg), ledger);
  const signed = (raw: string) => ({ rawBody: Buffer.from(raw), signature: hubSignature(raw, SECRET) });
  const events = (topic: string) => published.filter((p) => p.topic === topic).flatMap((p) => p.events);
  return { useCase, signed, events, ready, confirmed };
}

const unknownCount = async () =>
  (await registry.getSingleMetric('omni_webhook_unknown_account_items_total')?.get())?.values.find((v) => v.labels.channel === 'messenger')?.value ?? 0;

describe('ReceiveMessengerWebhookUseCase media', () => {
  const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.alloc(700, 5)]);
  let cdn: Server;
  let cdnUrl: string;
  const hits: string[] = [];
  beforeAll(async () => {
    cdn = createServer((req, res) => (hits.push(req.url ?? ''), res.writeHead(200, { 'content-type': 'image/png' }).end(PNG)));
    await new Promise<void>((r) => cdn.listen(0, '127.0.0.1', r));
    cdnUrl = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => cdn.close(r)));
  const image = (url: string) => readFileSync(resolve(__dirname, '../../../../libs/channels/fixtures/messenger/image.json'), 'utf8').replace(/https:\/\/scontent[^"]+/, url);

  it('stores the attachment behind the CDN URL and references it from the event', async () => {
    // The contract-server setup: the API base URL is local, so its origin may be fetched.
    const { useCase, signed, events } = setup(false, { ...config, MESSENGER_API_BASE_URL: cdnUrl });
    await useCase.execute(signed(image(`${cdnUrl}/v/t1/photo.png?oh=1`)));
    const [e] = events(TOPICS.inbound) as CloudEvent<InboundMessage>[];
    expect(e.data.message.attachments[0]).toMatchObject({ storeId: sha256Hex(PNG), size: PNG.length, mime: 'image/png' });
    expect(store.objects.get(`${config.TENANT_ID}:${sha256Hex(PNG)}`)?.content.equals(PNG)).toBe(true);
  });

  it.each([
    ['the cloud metadata address', 'https://169.254.169.254/latest/meta-data/iam'],
    ['a host Meta does not own', 'https://attacker.example/photo.jpg'],
    ['an owned-looking host with userinfo', 'https://scontent.xx.fbcdn.net@attacker.example/photo.jpg'],
  ])('keeps the message but never fetches %s', async (_why, url) => {
    const { useCase, signed, events } = setup(false, { ...config, MESSENGER_API_BASE_URL: cdnUrl });
    const before = hits.length;
    await useCase.execute(signed(image(url)));
    const [e] = events(TOPICS.inbound) as CloudEvent<InboundMessage>[];
    expect(e.data.message.attachments[0]).toMatchObject({ url, storeError: { code: 'media_url_refused' } });
    expect(e.data.message.attachments[0].storeId).toBeUndefined();
    expect(hits.length).toBe(before);
  });
});

describe('ReceiveMessengerWebhookUseCase', () => {
  const batched = readFileSync(resolve(__dirname, '../../../../libs/channels/fixtures/messenger/batched.json'), 'utf8');

  it('publishes every event of our Page in a batched webhook and reports the other Page as ignored', async () => {
    const { useCase, signed, events } = setup();
    const n = await useCase.execute(signed(batched));
    expect(n.messages + n.statuses).toBeGreaterThanOrEqual(3);
    expect(n.ignored).toBeGreaterThanOrEqual(1);
    const inbound = events(TOPICS.inbound) as CloudEvent<InboundMessage>[];
    expect(inbound).toHaveLength(n.messages);
    expect(inbound.every((e) => e.data.accountId === '104567891234567')).toBe(true);
  });

  it("records an echo naming our key (metadata) as Meta's confirmation of that send before answering, and produces no event of it (issue 13)", async () => {
    const echo = readFileSync(resolve(__dirname, '../../../../libs/channels/fixtures/messenger/echo.json'), 'utf8');
    const { useCase, signed, events, confirmed } = setup();
    const n = await useCase.execute(signed(echo));
    expect(n).toMatchObject({ messages: 0, statuses: 0, ignored: 1 });
    const { entry } = JSON.parse(echo) as { entry: { messaging: { message: { mid: string } }[] }[] };
    expect(confirmed).toEqual([`msg-0001 ${entry[0].messaging[0].message.mid} echo messenger 104567891234567`]);
    expect(events(TOPICS.inbound)).toHaveLength(0);
    // Not recorded: a 503, Meta redelivers.
    const down = setup(false, config, [], true);
    await expect(down.useCase.execute(down.signed(echo))).rejects.toMatchObject({ code: 'store_unavailable', retryable: true });
    // Unsigned: nothing recorded.
    const unsigned = setup();
    await expect(unsigned.useCase.execute({ rawBody: Buffer.from(echo), signature: hubSignature(echo, 'x') })).rejects.toMatchObject({ code: 'signature_invalid' });
    expect(unsigned.confirmed).toEqual([]);
  });

  it('rejects a missing or wrong signature and produces nothing', async () => {
    const { useCase, events } = setup();
    await expect(useCase.execute({ rawBody: Buffer.from(batched), signature: undefined })).rejects.toMatchObject({ code: 'signature_invalid' });
    await expect(useCase.execute({ rawBody: Buffer.from(batched), signature: hubSignature(batched, 'x') })).rejects.toMatchObject({ code: 'signature_invalid' });
    expect(events(TOPICS.inbound)).toHaveLength(0);
  });

  it('names the problem of a malformed body and turns a failed publish into a retryable error', async () => {
    await expect(setup().useCase.execute(setup().signed('{"object":"whatsapp_business_account"}'))).rejects.toMatchObject({ code: 'validation_failed' });
    const failing = setup(true);
    await expect(failing.useCase.execute(failing.signed(batched))).rejects.toMatchObject({ code: 'publish_failed', retryable: true });
  });

  describe('with Pages connected through the API', () => {
    const META_SECRET = 'one-meta-app-for-both-tenants';
    const pages = [{ pageId: '104567891234567', tenantId: 'acme', appSecret: META_SECRET }, { pageId: '109876543210123', tenantId: 'globex', appSecret: META_SECRET }];
    const metaSigned = (raw: string) => ({ rawBody: Buffer.from(raw), signature: hubSignature(raw, META_SECRET) });

    it('routes each entry to its Page’s tenant, verified with the Pages’ app secret', async () => {
      const { useCase, events, ready } = setup(false, config, pages);
      await ready;
      const n = await useCase.execute(metaSigned(batched));
      const inbound = events(TOPICS.inbound) as CloudEvent<InboundMessage>[];
      expect(inbound).toHaveLength(n.messages);
      const byPage = new Map(inbound.map((e) => [e.data.accountId, e.data.tenantId]));
      expect(Object.fromEntries(byPage)).toEqual({ '104567891234567': 'acme', '109876543210123': 'globex' });
      expect(inbound.every((e) => e.tenantid === e.data.tenantId)).toBe(true);
    });

    it('refuses the env app’s signature on a body naming connected Pages', async () => {
      const { useCase, signed, events, ready } = setup(false, config, pages);
      await ready;
      await expect(useCase.execute(signed(batched))).rejects.toMatchObject({ code: 'signature_invalid' });
      expect(events(TOPICS.inbound)).toHaveLength(0);
    });

    it('counts the entries of a Page nobody connected and produces nothing of them', async () => {
      const { useCase, events, ready } = setup(false, config, [pages[0]]);
      await ready;
      const before = await unknownCount();
      await useCase.execute(metaSigned(batched));
      await useCase.execute(metaSigned(batched));
      expect(await unknownCount()).toBe(before + 2);
      const inbound = events(TOPICS.inbound) as CloudEvent<InboundMessage>[];
      expect(inbound.length).toBeGreaterThan(0);
      expect(inbound.every((e) => e.data.accountId === '104567891234567' && e.data.tenantId === 'acme')).toBe(true);
    });
  });
});
