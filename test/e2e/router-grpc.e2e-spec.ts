import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createConnection, Connection } from 'mongoose';
import type { OwnershipClaimDoc } from '@omni/persistence';
import { RunningApp, freePort, startApp, stackEnv } from '../support/apps';
import { mongoUri, uniqueName, waitFor } from '../support/env';

const KEY = 'grpc-test-admin-key-0000001';
const OTHER_KEY = 'grpc-test-other-tenant-key-01';
const BOB_KEY = 'grpc-test-agent-key-of-bob-001';
const SERVICE_KEY = 'grpc-test-service-key-no-agent';

type Unary<Req, Res> = (req: Req, meta: grpc.Metadata, cb: (err: grpc.ServiceError | null, res: Res) => void) => void;
interface ConversationClient extends grpc.Client {
  GetConversation: Unary<{ conversationId: string }, { id: string; state: string; version: number; agentId: string; tenantId: string }>;
  SendMessage: Unary<{ conversationId: string; agentId: string; text: string; idempotencyKey?: string }, { messageId: string }>;
  StreamConversationEvents(req: { conversationId?: string }, meta: grpc.Metadata): grpc.ClientReadableStream<{ conversationId: string; kind: string; messageId: string }>;
}

function call<Req, Res>(fn: Unary<Req, Res>, client: ConversationClient, req: Req, key?: string): Promise<Res> {
  const meta = new grpc.Metadata();
  if (key) meta.set('authorization', `Bearer ${key}`);
  return new Promise((ok, fail) => fn.call(client, req, meta, (err, res) => (err ? fail(err) : ok(res))));
}

/** A real gRPC client (grpc-js + proto-loader on libs/contracts/proto/omni.proto) against the built router. */
describe('router gRPC API', () => {
  const name = uniqueName('router-grpc');
  let router: RunningApp;
  let db: Connection;
  let client: ConversationClient;

  beforeAll(async () => {
    db = await createConnection(mongoUri(name)).asPromise();
    const at = new Date();
    await db.collection('api_keys').insertMany([
      { _id: createHash('sha256').update(OTHER_KEY).digest('hex') as never, tenantId: 'other', name: 'other', role: 'admin', createdAt: at },
      { _id: createHash('sha256').update(BOB_KEY).digest('hex') as never, tenantId: 'default', name: 'bob desk', role: 'agent', agentId: 'bob', createdAt: at },
      { _id: createHash('sha256').update(SERVICE_KEY).digest('hex') as never, tenantId: 'default', name: 'crm', role: 'service', createdAt: at },
    ]);
    await db.collection('conversations').insertOne({
      _id: 'conv-1', tenantId: 'default', region: 'local', channel: 'web', accountId: 'web-default', customerId: 'cu-1', channelUserId: 'u-1',
      language: 'pt', state: 'assigned', version: 1, agentId: 'ana', groupId: 'default', since: at, lastMessageAt: at, createdAt: at, updatedAt: at,
    } as never);
    await db.collection<OwnershipClaimDoc>('conversation_ownership').insertOne({
      _id: 'conv-1:1', tenantId: 'default', conversationId: 'conv-1', version: 1, state: 'assigned', since: at, agentId: 'ana', groupId: 'default', cause: 'seed', at,
    });
    const port = await freePort();
    router = await startApp('router', { ...stackEnv({ prefix: name, db: name }), API_KEY: KEY, ROUTER_GRPC_PORT: String(port), ROUTER_DISPATCH_INTERVAL_MS: '0' });
    const definition = protoLoader.loadSync(resolve(__dirname, '../../libs/contracts/proto/omni.proto'), { keepCase: false, longs: Number, defaults: true });
    const pkg = grpc.loadPackageDefinition(definition) as unknown as { omni: { router: { v1: { ConversationService: new (addr: string, creds: grpc.ChannelCredentials) => ConversationClient } } } };
    client = new pkg.omni.router.v1.ConversationService(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  }, 90_000);

  afterAll(async () => {
    client?.close();
    await router?.stop();
    await db?.close();
  });

  it('gets a conversation of the caller’s tenant, and nothing of another tenant', async () => {
    await expect(call(client.GetConversation, client, { conversationId: 'conv-1' }, KEY)).resolves.toMatchObject({ id: 'conv-1', state: 'assigned', version: 1, agentId: 'ana', tenantId: 'default' });
    await expect(call(client.GetConversation, client, { conversationId: 'conv-1' }, OTHER_KEY)).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    await expect(call(client.GetConversation, client, { conversationId: 'conv-1' })).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    await expect(call(client.GetConversation, client, { conversationId: 'conv-1' }, SERVICE_KEY)).resolves.toMatchObject({ id: 'conv-1' });
  });

  it('sends as the credential’s agent: an agent key never writes as another, a service key without an agent not at all', async () => {
    await expect(call(client.SendMessage, client, { conversationId: 'conv-1', agentId: 'ana', text: 'I am Ana' }, BOB_KEY)).rejects.toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    // Bob's own agent is not the owner: the ownership rule answers, not the key check.
    await expect(call(client.SendMessage, client, { conversationId: 'conv-1', agentId: '', text: 'hi' }, BOB_KEY)).rejects.toMatchObject({ code: grpc.status.FAILED_PRECONDITION });
    await expect(call(client.SendMessage, client, { conversationId: 'conv-1', agentId: 'ana', text: 'hi' }, SERVICE_KEY)).rejects.toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    expect(await db.collection('messages').countDocuments({ conversationId: 'conv-1' })).toBe(0);
    await expect(call(client.GetConversation, client, { conversationId: '' }, KEY)).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
  });

  it('sends a message and streams the resulting conversation event', async () => {
    const stream = client.StreamConversationEvents({ conversationId: 'conv-1' }, (() => { const m = new grpc.Metadata(); m.set('authorization', `Bearer ${KEY}`); return m; })());
    const seen: { kind: string; messageId: string }[] = [];
    stream.on('data', (e: { kind: string; messageId: string }) => seen.push(e));
    stream.on('error', () => undefined);
    // The feed joins its own consumer group at start; give the stream a moment to be attached.
    await new Promise((r) => setTimeout(r, 500));
    const sent = await call(client.SendMessage, client, { conversationId: 'conv-1', agentId: 'ana', text: 'Olá! Sou a Ana.', idempotencyKey: 'k1' }, KEY);
    expect(sent.messageId).toMatch(/^[0-9a-f-]{36}$/);
    const again = await call(client.SendMessage, client, { conversationId: 'conv-1', agentId: 'ana', text: 'Olá! Sou a Ana.', idempotencyKey: 'k1' }, KEY);
    expect(again.messageId).toBe(sent.messageId);
    await expect(call(client.SendMessage, client, { conversationId: 'conv-1', agentId: 'bob', text: 'hi' }, KEY)).rejects.toMatchObject({ code: grpc.status.FAILED_PRECONDITION });
    const event = await waitFor('streamed event', async () => seen.find((e) => e.messageId === sent.messageId), 15_000);
    expect(event.kind).toBe('message');
    stream.cancel();
    const stored = await db.collection('messages').findOne({ _id: sent.messageId as never });
    expect(stored).toMatchObject({ author: { kind: 'agent', id: 'ana' }, text: 'Olá! Sou a Ana.' });
  });
});
