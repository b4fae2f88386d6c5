import { EventEmitter } from 'node:events';
import { CloudEvent, DeliveryStatus, InboundMessage, OutboundCommand, TOPICS } from '@omni/contracts';
import { type MediaStore, MediaIngest, type SendDoc, type SendLedger, sha256Hex } from '@omni/channel-kit';
import type { EventPublisher } from '@omni/messaging';
import { BreakerRegistry } from '@omni/resilience';
import { WhatsAppConfigSchema } from '../config';
import type { SendContextReader } from '../outbound/conversation-context';
import { LinkedDeviceController } from './linked-device.controller';
import { LinkedDeviceManager } from './linked-device.manager';
import { LinkedDeviceTransport } from './linked-device.transport';
import { ReceiveLinkedMessageUseCase } from './receive-linked-message.use-case';
import type { AccountLease } from './account-lease';
import type { WebClient, WebClientFactory } from './web-client';

const ADMIN = 'unit-linked-device-admin-token';
const config = WhatsAppConfigSchema.parse({
  WHATSAPP_VERIFY_TOKEN: 'unit-verify-token', WHATSAPP_APP_SECRET: 'unit-app-secret', WHATSAPP_ACCESS_TOKEN: 'unit-access-token', WHATSAPP_PHONE_NUMBER_ID: '106540352242922',
  WHATSAPP_WEB_ACCOUNTS: 'shop1', WHATSAPP_WEB_ADMIN_TOKEN: ADMIN, WHATSAPP_WEB_RECONNECT_BASE_MS: '20', WHATSAPP_WEB_RECONNECT_MAX_MS: '200', WHATSAPP_WEB_LEASE_TTL_MS: '60',
});

/** The fake: an EventEmitter with whatsapp-web.js's event names and the three methods we call. */
class FakeClient extends EventEmitter implements WebClient {
  initialized = 0;
  destroyed = 0;
  failInitialize?: Error;
  sent: { chatId: string; content: unknown; options?: { quotedMessageId?: string; caption?: string } }[] = [];
  async initialize(): Promise<void> {
    this.initialized++;
    if (this.failInitialize) throw this.failInitialize;
  }
  async destroy(): Promise<void> {
    this.destroyed++;
  }
  async sendMessage(chatId: string, content: unknown, options?: { quotedMessageId?: string; caption?: string }) {
    this.sent.push({ chatId, content, options });
    const id = `3EB0OUT${this.sent.length}`;
    return { id: { id, _serialized: `true_${chatId}_${id}` } };
  }
}

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(100, 2)]);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(probe: () => T | undefined | false, ms = 2_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met');
    await wait(5);
  }
}

function setup(opts: { firstClientFails?: boolean } = {}) {
  const published: { topic: string; events: CloudEvent[] }[] = [];
  const publisher = { publish: async (topic: string, events: CloudEvent | CloudEvent[]) => void published.push({ topic, events: Array.isArray(events) ? events : [events] }) } as unknown as EventPublisher;
  const sends = new Map<string, string>();
  const ledger = { byProviderId: async (_c: string, _a: string, id: string) => (sends.has(id) ? ({ _id: sends.get(id) } as SendDoc) : null) } as unknown as SendLedger;
  const stored = new Map<string, { content: Buffer; mime: string; filename?: string; source: string }>();
  const store: MediaStore = {
    put: async (t, content, meta) => (stored.set(`${t}:${sha256Hex(content)}`, { content, ...meta }), { storeId: sha256Hex(content), size: content.length, mime: meta.mime }),
    get: async (t, id) => stored.get(`${t}:${id}`) ?? null,
  };
  const media = new MediaIngest({ store, breakers: new BreakerRegistry(), limits: { maxBytes: 10_000, allowedTypes: ['image/*'] }, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
  const receive = new ReceiveLinkedMessageUseCase(config, publisher, ledger, media).withRetryPolicy({ attempts: 2, baseDelayMs: 1, maxDelayMs: 1 });
  const clients: FakeClient[] = [];
  const factory: WebClientFactory = {
    create: () => {
      const c = new FakeClient();
      if (opts.firstClientFails && clients.length === 0) c.failInitialize = new Error('Failed to launch the browser process');
      clients.push(c);
      return c;
    },
    media: (mime, data, filename) => ({ mime, data, filename }),
  };
  // The lease: free unless a test says another instance holds it.
  const lease = { otherHolds: false, mine: false, acquire: async () => (lease.otherHolds ? false : (lease.mine = true)), renew: async () => lease.mine && !lease.otherHolds, release: async () => void (lease.mine = false) };
  const manager = new LinkedDeviceManager(config, factory, receive, lease satisfies AccountLease);
  const context: SendContextReader = { read: async (cmd) => ({ replyToProviderId: cmd.replyToMessageId ? '3EB0C767D26A1D5B8F44' : undefined }) };
  const transport = new LinkedDeviceTransport(manager, factory, store, context);
  const controller = new LinkedDeviceController(config, manager);
  const events = <T>(topic: string) => published.filter((p) => p.topic === topic).flatMap((p) => p.events as CloudEvent<T>[]);
  return { manager, clients, transport, controller, events, sends, stored, lease };
}

const incoming = (over: Record<string, unknown> = {}) => ({
  id: { fromMe: false, remote: '16505551234@c.us', id: '3EB0C767D26A1D5B8F44', _serialized: 'false_16505551234@c.us_3EB0C767D26A1D5B8F44' },
  from: '16505551234@c.us', to: '15550783881@c.us', type: 'chat', body: 'hello', timestamp: 1749416383, fromMe: false, hasMedia: false,
  _data: { notifyName: 'Sheena Nelson' },
  ...over,
});
const auth = (token = ADMIN) => `Bearer ${token}`;
const command = (over: Partial<OutboundCommand> = {}): OutboundCommand => ({
  tenantId: 'default', region: 'local', channel: 'whatsapp', accountId: 'shop1', conversationId: 'c1', messageId: 'our-1',
  recipient: { channelUserId: '16505551234' }, author: { kind: 'bot' }, message: { type: 'text', text: 'Hi! How can I help?', attachments: [] },
  createdAt: new Date().toISOString(), ...over,
});

describe('LinkedDeviceManager with a fake whatsapp-web.js client', () => {
  it('shows the pairing QR at the authenticated endpoint until the device is linked', async () => {
    const { manager, clients, controller } = setup();
    manager.onApplicationBootstrap();
    const client = await until(() => clients[0]);
    expect(client.initialized).toBe(1);
    await expect(controller.qr(auth(), 'shop1')).rejects.toMatchObject({ code: 'conflict' }); // no QR yet
    client.emit('qr', '2@Xk1x7OQbQ0x8UeQ0Lw==,ZGVtbw==,c2VjcmV0,MTIz');
    const png = (await controller.qr(auth(), 'shop1')).getStream().read() as Buffer;
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(controller.status(auth(), 'shop1')).toMatchObject({ state: 'pairing', qrPending: true });
    await expect(controller.qr(auth('wrong-token-wrong-token'), 'shop1')).rejects.toMatchObject({ code: 'unauthorized' });
    expect(() => controller.status(undefined, 'shop1')).toThrow(expect.objectContaining({ code: 'unauthorized' }));
    expect(() => controller.status(auth(), 'nope')).toThrow(expect.objectContaining({ code: 'not_found' }));
    client.emit('authenticated');
    client.emit('ready');
    expect(manager.status('shop1')).toMatchObject({ state: 'ready', qrPending: false });
    await expect(controller.qr(auth(), 'shop1')).rejects.toMatchObject({ code: 'conflict', details: { state: 'ready' } });
    await manager.onApplicationShutdown();
  });

  it('normalizes an incoming message like a Cloud API webhook, downloading its media into the store', async () => {
    const { manager, clients, events, stored } = setup();
    manager.onApplicationBootstrap();
    (await until(() => clients[0])).emit('ready');
    clients[0].emit('message', incoming());
    clients[0].emit('message', incoming({
      id: { fromMe: false, remote: '16505551234@c.us', id: '3EB0IMG', _serialized: 'false_16505551234@c.us_3EB0IMG' },
      type: 'image', body: 'my receipt', hasMedia: true, _data: { mimetype: 'image/jpeg' },
      downloadMedia: async () => ({ mimetype: 'image/jpeg', data: JPEG.toString('base64'), filename: null }),
    }));
    clients[0].emit('message', incoming({ from: '120363025246125486@g.us' })); // a group: ignored
    const inbound = await until(() => events<InboundMessage>(TOPICS.inbound).length === 2 && events<InboundMessage>(TOPICS.inbound));
    expect(inbound.map((e) => e.data.message.channelMessageId)).toEqual(['3EB0C767D26A1D5B8F44', '3EB0IMG']);
    expect(inbound[0].data).toMatchObject({ channel: 'whatsapp', accountId: 'shop1', customer: { channelUserId: '16505551234' } });
    expect(inbound[1].data.message.attachments[0]).toMatchObject({ storeId: sha256Hex(JPEG), mime: 'image/jpeg', caption: 'my receipt' });
    expect(stored.get(`default:${sha256Hex(JPEG)}`)?.content.equals(JPEG)).toBe(true);
    await wait(20);
    expect(events(TOPICS.inbound)).toHaveLength(2);
    await manager.onApplicationShutdown();
  });

  it('keeps a chat in order: a text is not published before the photo sent just before it', async () => {
    const { manager, clients, events } = setup();
    manager.onApplicationBootstrap();
    (await until(() => clients[0])).emit('ready');
    clients[0].emit('message', incoming({
      id: { fromMe: false, remote: '16505551234@c.us', id: '3EB0SLOW', _serialized: 'false_16505551234@c.us_3EB0SLOW' },
      type: 'image', body: '', hasMedia: true, _data: { mimetype: 'image/jpeg' },
      downloadMedia: async () => (await wait(80), { mimetype: 'image/jpeg', data: JPEG.toString('base64') }),
    }));
    clients[0].emit('message', incoming({ body: 'this one is my receipt' }));
    clients[0].emit('message', incoming({ from: '16505559999@c.us', id: { fromMe: false, remote: '16505559999@c.us', id: '3EB0OTHER', _serialized: 'x' } }));
    const inbound = await until(() => events<InboundMessage>(TOPICS.inbound).length === 3 && events<InboundMessage>(TOPICS.inbound));
    const order = inbound.map((e) => e.data.message.channelMessageId);
    expect(order.indexOf('3EB0SLOW')).toBeLessThan(order.indexOf('3EB0C767D26A1D5B8F44'));
    expect(order[0]).toBe('3EB0OTHER'); // another chat is not held up by the download
    await manager.onApplicationShutdown();
  });

  it('sends through the client, quoting by stanza id, and folds acks of that send into statuses of our message', async () => {
    const { manager, clients, transport, events, sends } = setup();
    manager.onApplicationBootstrap();
    await until(() => clients[0]);
    await expect(transport.send(command())).rejects.toMatchObject({ code: 'linked_device_not_ready', retryable: true });
    clients[0].emit('ready');
    const { providerMessageId } = await transport.send(command({ replyToMessageId: 'inbound-1' }));
    expect(clients[0].sent[0]).toEqual({ chatId: '16505551234@c.us', content: 'Hi! How can I help?', options: { quotedMessageId: 'false_16505551234@c.us_3EB0C767D26A1D5B8F44' } });
    sends.set(providerMessageId as string, 'our-1');
    const out = { ...incoming(), id: { fromMe: true, remote: '16505551234@c.us', id: providerMessageId, _serialized: `true_16505551234@c.us_${providerMessageId}` }, fromMe: true, from: '15550783881@c.us', to: '16505551234@c.us' };
    clients[0].emit('message_ack', out, 1); // server ack: the sender already said `sent`
    clients[0].emit('message_ack', out, 2);
    clients[0].emit('message_ack', out, 3);
    const statuses = await until(() => events<DeliveryStatus>(TOPICS.status).length === 2 && events<DeliveryStatus>(TOPICS.status));
    expect(statuses.map((s) => [s.data.messageId, s.data.status])).toEqual([['our-1', 'delivered'], ['our-1', 'read']]);
    await manager.onApplicationShutdown();
  });

  it('sends a stored attachment as media with the text as caption, and refuses URL-only attachments', async () => {
    const { manager, clients, transport, stored } = setup();
    manager.onApplicationBootstrap();
    (await until(() => clients[0])).emit('ready');
    stored.set(`default:${sha256Hex(JPEG)}`, { content: JPEG, mime: 'image/jpeg', source: 'test' });
    await transport.send(command({ message: { type: 'image', text: 'your invoice', attachments: [{ kind: 'image', mime: 'image/jpeg', storeId: sha256Hex(JPEG) }] } }));
    expect(clients[0].sent[0]).toMatchObject({ content: { mime: 'image/jpeg', data: JPEG.toString('base64') }, options: { caption: 'your invoice' } });
    await expect(transport.send(command({ message: { type: 'image', attachments: [{ kind: 'image', mime: 'image/jpeg', url: 'https://example.com/x.jpg' }] } }))).rejects.toMatchObject({ code: 'unsupported_attachment', retryable: false });
    await manager.onApplicationShutdown();
  });

  it('runs the client only while holding the account lease: standby, take over, stop when lost', async () => {
    const { manager, clients, lease } = setup();
    lease.otherHolds = true;
    manager.onApplicationBootstrap();
    await until(() => manager.status('shop1')?.state === 'standby');
    await wait(50);
    expect(clients).toHaveLength(0); // another instance runs it
    lease.otherHolds = false; // its lease expired or was released
    const client = await until(() => clients[0]);
    client.emit('ready');
    lease.otherHolds = true; // this one's lease was taken over (e.g. the database was unreachable too long)
    await until(() => manager.status('shop1')?.state === 'standby');
    expect(client.destroyed).toBe(1);
    await manager.onApplicationShutdown();
  });

  it('restarts with backoff after a failed launch and after a disconnect, with a fresh client each time', async () => {
    const { manager, clients } = setup({ firstClientFails: true });
    manager.onApplicationBootstrap();
    await until(() => manager.status('shop1')?.state === 'disconnected');
    expect(manager.status('shop1')?.lastError).toContain('Failed to launch the browser process');
    await until(() => clients.length === 2); // base 20 ms, equal jitter: 10–20 ms
    expect(clients[0].destroyed).toBe(1);
    clients[1].emit('ready');
    expect(manager.status('shop1')?.state).toBe('ready');
    clients[1].emit('disconnected', 'NAVIGATION');
    expect(manager.status('shop1')).toMatchObject({ state: 'disconnected', lastError: 'disconnected: NAVIGATION' });
    await until(() => clients.length === 3);
    clients[1].emit('ready'); // a late event of the replaced client changes nothing
    expect(manager.status('shop1')?.state).toBe('starting');
    await manager.onApplicationShutdown();
    expect(clients[2].destroyed).toBe(1);
  });
});
