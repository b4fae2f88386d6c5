import { EventEmitter } from 'node:events';
import { CloudEvent, DeliveryStatus, InboundMessage, OutboundCommand, TOPICS } from '@omni/contracts';
import { MediaIngest, MemoryMediaStore, type SendDoc, type SendLedger, sha256Hex } from '@omni/channel-kit';
import type { EventPublisher } from '@omni/messaging';
import { BreakerRegistry } from '@omni/resilience';
import { DEMO_SECRETS_KEK } from '@omni/secrets';
import { WhatsAppConfigSchema } from '../config';
import type { SendContextReader } from '../outbound/conversation-context';
import { LinkedDeviceController } from './linked-device.controller';
import { LinkedDeviceManager } from './linked-device.manager';
import { LinkedDeviceTransport } from './linked-device.transport';
import { ReceiveLinkedMessageUseCase } from './receive-linked-message.use-case';
import type { AccountLease } from './account-lease';
import type { CatchUpCursor } from './catch-up.cursor';
import type { LiveWebMessage } from './receive-linked-message.use-case';
import type { WebChat, WebClient, WebClientFactory } from './web-client';

const ADMIN = 'unit-linked-device-admin-token';
const config = WhatsAppConfigSchema.parse({
  SECRETS_KEK: DEMO_SECRETS_KEK,
  WHATSAPP_VERIFY_TOKEN: 'unit-verify-token', WHATSAPP_APP_SECRET: 'unit-app-secret', WHATSAPP_ACCESS_TOKEN: 'unit-access-token', WHATSAPP_PHONE_NUMBER_ID: '106540352242922',
  WHATSAPP_WEB_ACCOUNTS: 'shop1', WHATSAPP_WEB_ADMIN_TOKEN: ADMIN, WHATSAPP_WEB_RECONNECT_BASE_MS: '20', WHATSAPP_WEB_RECONNECT_MAX_MS: '200', WHATSAPP_WEB_LEASE_TTL_MS: '60',
});

/** A chat of the fake client: what whatsapp-web.js's Chat answers (newest message last, as fetchMessages does). */
class FakeChat implements WebChat {
  fetched: number[] = [];
  constructor(readonly id: { _serialized: string }, readonly messages: LiveWebMessage[], readonly unreadCount = 0, readonly isGroup = false) {}
  get timestamp(): number | undefined {
    return this.messages.at(-1)?.timestamp;
  }
  async fetchMessages({ limit }: { limit: number }): Promise<LiveWebMessage[]> {
    this.fetched.push(limit);
    return this.messages.slice(-limit);
  }
}

/** The fake: an EventEmitter with whatsapp-web.js's event names and the four methods we call. */
class FakeClient extends EventEmitter implements WebClient {
  initialized = 0;
  destroyed = 0;
  failInitialize?: Error;
  chats: FakeChat[] = [];
  async getChats(): Promise<WebChat[]> {
    return this.chats;
  }
  sent: { chatId: string; content: unknown; options?: { quotedMessageId?: string; caption?: string } }[] = [];
  async initialize(): Promise<void> {
    this.initialized++;
    if (this.failInitialize) throw this.failInitialize;
  }
  async destroy(): Promise<void> {
    this.destroyed++;
  }
  /** The page stopped answering: sendMessage never settles. */
  hangs = false;
  async sendMessage(chatId: string, content: unknown, options?: { quotedMessageId?: string; caption?: string }) {
    this.sent.push({ chatId, content, options });
    if (this.hangs) return new Promise<never>(() => undefined);
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

function setup(opts: { firstClientFails?: boolean; lastSeen?: number; sendTimeoutMs?: number } = {}) {
  const published: { topic: string; events: CloudEvent[] }[] = [];
  const publisher = { publish: async (topic: string, events: CloudEvent | CloudEvent[]) => void published.push({ topic, events: Array.isArray(events) ? events : [events] }) } as unknown as EventPublisher;
  const sends = new Map<string, string>();
  const ledger = { byProviderId: async (_c: string, _a: string, id: string) => (sends.has(id) ? ({ _id: sends.get(id) } as SendDoc) : null) } as unknown as SendLedger;
  const store = new MemoryMediaStore();
  const stored = store.objects;
  const media = new MediaIngest({ store, breakers: new BreakerRegistry(), limits: { maxBytes: 10_000, allowedTypes: ['image/*'] }, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, deadlineMs: 5_000, fetchesAtOnce: 4 });
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
  // The catch-up cursor, as MongoCatchUpCursor keeps it ($max: never backwards).
  const cursor = {
    seen: new Map<string, number>(opts.lastSeen === undefined ? [] : [['shop1', opts.lastSeen]]),
    lastSeen: async (id: string) => cursor.seen.get(id),
    advance: async (id: string, ts: number) => void cursor.seen.set(id, Math.max(ts, cursor.seen.get(id) ?? ts)),
  };
  const manager = new LinkedDeviceManager(config, factory, receive, lease satisfies AccountLease, cursor satisfies CatchUpCursor);
  const context: SendContextReader = { read: async (cmd) => ({ replyToProviderId: cmd.replyToMessageId ? '3EB0C767D26A1D5B8F44' : undefined }) };
  const transport = new LinkedDeviceTransport(manager, factory, store, context, opts.sendTimeoutMs ?? config.WHATSAPP_WEB_SEND_TIMEOUT_MS);
  const controller = new LinkedDeviceController(config, manager);
  const events = <T>(topic: string) => published.filter((p) => p.topic === topic).flatMap((p) => p.events as CloudEvent<T>[]);
  return { manager, clients, transport, controller, events, sends, stored, lease, cursor };
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

  it('gives up a send the client never confirms after WHATSAPP_WEB_SEND_TIMEOUT_MS, for good (issue 15 #11)', async () => {
    const { manager, clients, transport } = setup({ sendTimeoutMs: 150 });
    manager.onApplicationBootstrap();
    (await until(() => clients[0])).emit('ready');
    clients[0].hangs = true;
    const started = Date.now();
    const outcome = await Promise.race([
      transport.send(command()).then(() => 'sent', (err: unknown) => err),
      wait(3_000).then(() => 'still waiting after 3 s'),
    ]);
    // Not retryable: the page may still deliver it, and a retry would send it twice.
    expect(outcome).toMatchObject({ code: 'linked_device_send_timeout', retryable: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(clients[0].sent).toHaveLength(1);
    expect(config.WHATSAPP_WEB_SEND_TIMEOUT_MS).toBe(30_000); // the default
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

  it('catches up after a reconnect: messages written while disconnected are fetched from the chats and published once', async () => {
    const T0 = 1_749_416_000;
    const { manager, clients, events, cursor } = setup({ lastSeen: T0 });
    const msg = (from: string, id: string, timestamp: number, body: string, over: Record<string, unknown> = {}): LiveWebMessage =>
      incoming({ id: { fromMe: false, remote: from, id, _serialized: `false_${from}_${id}` }, from, body, timestamp, ...over });
    manager.onApplicationBootstrap();
    const first = await until(() => clients[0]);
    first.emit('ready');
    first.emit('message', msg('16505551234@c.us', '3EB0LIVE', T0 + 10, 'before the outage'));
    await until(() => cursor.seen.get('shop1') === T0 + 10);
    first.emit('disconnected', 'CONFLICT');
    const second = await until(() => clients[1]);

    // What the phone received meanwhile: an unread chat (with one message already published, one of
    // the business's own replies and two new ones), a chat read on the phone meanwhile (unread 0, but
    // newer than the cursor), a group, and a quiet chat that must not even be fetched.
    const alice = new FakeChat({ _serialized: '16505551234@c.us' }, [
      msg('16505551234@c.us', '3EB0OLD', T0 - 500, 'long ago'),
      msg('16505551234@c.us', '3EB0LIVE', T0 + 10, 'before the outage'),
      msg('15550783881@c.us', '3EB0MINE', T0 + 20, 'our own reply from the phone', { fromMe: true, id: { fromMe: true, remote: '16505551234@c.us', id: '3EB0MINE', _serialized: 'x' } }),
      msg('16505551234@c.us', '3EB0MISSED1', T0 + 30, 'are you there?'),
      msg('16505551234@c.us', '3EB0MISSED2', T0 + 40, 'hello??'),
    ], 2);
    const bob = new FakeChat({ _serialized: '16505559999@c.us' }, [msg('16505559999@c.us', '3EB0BOB', T0 + 35, 'read on the phone, never published')], 0);
    const group = new FakeChat({ _serialized: '120363025246125486@g.us' }, [msg('120363025246125486@g.us', '3EB0GRP', T0 + 36, 'group chatter')], 5, true);
    const quiet = new FakeChat({ _serialized: '16505550000@c.us' }, [msg('16505550000@c.us', '3EB0Q', T0 - 100, 'old news')], 0);
    second.chats = [alice, bob, group, quiet];
    second.emit('ready');

    const ids = () => events<InboundMessage>(TOPICS.inbound).map((e) => e.data.message.channelMessageId);
    await until(() => ids().length === 5);
    expect(ids().slice(1)).toEqual(expect.arrayContaining(['3EB0LIVE', '3EB0MISSED1', '3EB0MISSED2', '3EB0BOB']));
    expect(ids()).not.toContain('3EB0OLD');
    expect(ids()).not.toContain('3EB0MINE');
    expect(ids()).not.toContain('3EB0GRP');
    // In the chat's order, through the same normalizer as live messages.
    expect(ids().filter((id) => id.startsWith('3EB0MISSED'))).toEqual(['3EB0MISSED1', '3EB0MISSED2']);
    expect(alice.fetched).toEqual([config.WHATSAPP_WEB_CATCHUP_LIMIT]);
    expect(group.fetched).toEqual([]);
    expect(quiet.fetched).toEqual([]);
    await until(() => cursor.seen.get('shop1') === T0 + 40);

    // The message seen both live and by the catch-up is the same event (deterministic id): the router stores it once.
    const live = events<InboundMessage>(TOPICS.inbound).filter((e) => e.data.message.channelMessageId === '3EB0LIVE');
    expect(live).toHaveLength(2);
    expect(live[0].id).toBe(live[1].id);
    expect(events<InboundMessage>(TOPICS.inbound).find((e) => e.data.message.channelMessageId === '3EB0MISSED2')?.data.message.text).toBe('hello??');
    await manager.onApplicationShutdown();
  });

  it('imports no history on the first pairing: the cursor starts at the first ready', async () => {
    const { manager, clients, events, cursor } = setup();
    manager.onApplicationBootstrap();
    const client = await until(() => clients[0]);
    const old = new FakeChat({ _serialized: '16505551234@c.us' }, [incoming({ timestamp: 1_600_000_000 })], 3);
    client.chats = [old];
    client.emit('ready');
    const since = await until(() => cursor.seen.get('shop1'));
    expect(Math.abs(since - Date.now() / 1000)).toBeLessThan(60);
    await wait(20);
    expect(old.fetched).toEqual([]);
    expect(events(TOPICS.inbound)).toHaveLength(0);
    await manager.onApplicationShutdown();
  });
});
