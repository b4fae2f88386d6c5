/**
 * The router's store cost per customer message, on FerretDB's PostgreSQL and SQLite handlers
 * (ADR 0010). Replays, through the real repositories of @omni/persistence, the queries that one
 * inbound message and its bot reply cost the router — what ReceiveInboundUseCase and
 * SendBotReplyUseCase (apps/router) do for a web-chat conversation the bot answers, without Kafka:
 *
 *   inbound:  openOrTouch (touch by _id; first message: + insert, + customer upsert) · message insert ·
 *             ownership probe `<id>:1` by _id · history query by conversationId, sorted (ADR 0011)
 *   reply:    conversation by _id · first message: setLanguage · attachAi · ownership probe ·
 *             inbound message by _id · bot turn insert · recent bot turns (one query, ADR 0011) ·
 *             changedSince probe · reply insert
 *
 * N conversations × 3 messages, conversations concurrent, the messages of one conversation in order
 * (as on a partition with keyed concurrency, ADR 0008). Latency per message = its inbound + reply.
 * Each handler gets a private FerretDB (+ PostgreSQL) on free ports (.local/store-mix/<handler>);
 * measured fresh, then again after insertMany of ~100,000 stored messages (with their conversations,
 * and bot turns). Figures, not tests: asserts only that every message was stored
 * (a message the store refused is counted as failed and its conversation abandoned).
 *
 *   npx tsx scripts/bench/store-mix.ts [--handlers postgresql,sqlite] [--conversations 100]
 *     [--concurrency 1,8,32] [--preload 100000] [--budget 60]
 * A run stops starting conversations after --budget seconds (SQLite after the preload scans the
 * whole collection per first message), and says how many messages it measured.
 */
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import mongoose, { Connection, Model } from 'mongoose';
import {
  BotTurnDoc, BotTurnSchema, ConversationDoc, ConversationSchema, CustomerDoc, CustomerSchema, MessageDoc, MessageSchema,
  MongoBotTurnRepository, MongoConversationRepository, MongoCustomerRepository, MongoMessageRepository, MongoOwnershipRepository,
  OwnershipClaimDoc, OwnershipClaimSchema, customerKey,
} from '@omni/persistence';
import { freePort } from '../../test/support/apps';
import { ROOT, run } from './infra';
import { latency, ms, table } from './stats';

// The repositories call findOneAndUpdate with `new: true`, which mongoose 9 reports on every call:
// one line per message would bury the figures (the option still works; the apps log the same).
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: never[]) => {
  if (String(warning).includes('`new` option for `findOneAndUpdate()`')) return;
  emitWarning(warning, ...rest);
});

const { values: args } = parseArgs({
  options: {
    handlers: { type: 'string', default: 'postgresql,sqlite' },
    conversations: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '1,8,32' },
    preload: { type: 'string', default: '100000' },
    budget: { type: 'string', default: '60' },
  },
});
const HANDLERS = args.handlers.split(',').map((h) => h.trim());
const CONVERSATIONS = Number(args.conversations);
const CONCURRENCY = args.concurrency.split(',').map(Number);
const PRELOAD = Number(args.preload);
const BUDGET_MS = Number(args.budget) * 1000;
const MESSAGES_PER_CONVERSATION = 3;
const TENANT = 'bench-tenant';
const HISTORY = 11; // HISTORY_TURNS + 1 in ReceiveInboundUseCase
const TURNS_READ = 5; // turnsToRead() for the default streak

interface Repos {
  conversations: MongoConversationRepository;
  customers: MongoCustomerRepository;
  messages: MongoMessageRepository;
  ownership: MongoOwnershipRepository;
  turns: MongoBotTurnRepository;
  models: Model<unknown>[];
  raw: { messages: Model<MessageDoc>; conversations: Model<ConversationDoc>; turns: Model<BotTurnDoc> };
}

function repos(conn: Connection): Repos {
  const conversations = conn.model<ConversationDoc>('Conversation', ConversationSchema);
  const customers = conn.model<CustomerDoc>('Customer', CustomerSchema);
  const messages = conn.model<MessageDoc>('Message', MessageSchema);
  const ownership = conn.model<OwnershipClaimDoc>('OwnershipClaim', OwnershipClaimSchema);
  const turns = conn.model<BotTurnDoc>('BotTurn', BotTurnSchema);
  return {
    conversations: new MongoConversationRepository(conversations),
    customers: new MongoCustomerRepository(customers),
    messages: new MongoMessageRepository(messages),
    ownership: new MongoOwnershipRepository(ownership),
    turns: new MongoBotTurnRepository(turns),
    models: [conversations, customers, messages, ownership, turns] as unknown as Model<unknown>[],
    raw: { messages, conversations, turns },
  };
}

/** ReceiveInboundUseCase's store calls for one customer message. */
async function inbound(r: Repos, conversationId: string, user: string, id: string, text: string, at: Date): Promise<void> {
  const customerId = customerKey(TENANT, 'web', 'site', user);
  const { conversation, created: opened } = await r.conversations.openOrTouch(
    { _id: conversationId, tenantId: TENANT, region: 'local', channel: 'web', accountId: 'site', customerId, channelUserId: user },
    at,
    true,
  );
  if (opened) await r.customers.upsert({ tenantId: TENANT, channel: 'web', accountId: 'site', channelUserId: user, displayName: 'Bench' }, at);
  await r.messages.insert({
    _id: id, tenantId: TENANT, conversationId, channel: 'web', accountId: 'site', channelMessageId: `ch-${id}`, direction: 'inbound',
    author: { kind: 'customer', id: customerId, name: 'Bench' }, type: 'text', text, attachments: [], timestamp: at,
  });
  await probeOwner(r, conversation);
  await r.messages.history(conversationId, HISTORY);
}

/** OwnershipStore.current for a conversation the bot has always owned: probe `<id>:<v+1>` by _id. */
async function probeOwner(r: Repos, c: ConversationDoc): Promise<void> {
  if (c.version > 0) await r.ownership.get(c._id, c.version);
  await r.ownership.get(c._id, c.version + 1);
}

/** SendBotReplyUseCase's store calls for the AI result of that message (the bot answers). */
async function reply(r: Repos, conversationId: string, id: string, text: string): Promise<void> {
  const conversation = await r.conversations.get(conversationId);
  if (!conversation) throw new Error(`conversation ${conversationId} missing`);
  const ai = { language: 'en', intent: { name: 'order_status', confidence: 0.9 }, entities: [], abstained: false, engine: 'nlu' };
  if (conversation.language !== 'en') await r.conversations.setLanguage(conversationId, 'en');
  await r.messages.attachAi(id, ai);
  await probeOwner(r, conversation);
  const inboundMessage = await r.messages.get(id);
  await r.turns.record({
    _id: id, tenantId: TENANT, conversationId, ownerVersion: 0, at: new Date(), customerText: inboundMessage?.text ?? text,
    ai: { language: 'en', intent: ai.intent, entities: [], answer: { text: 'Your order is on its way.' }, abstained: false },
  });
  await r.turns.recent(conversationId, 0, TURNS_READ);
  await r.ownership.get(conversationId, conversation.version + 1); // changedSince, the gate before speaking
  const replyId = `${id}:bot-reply`;
  await r.messages.insert({
    _id: replyId, tenantId: TENANT, conversationId, channel: 'web', accountId: 'site', channelMessageId: replyId, direction: 'outbound',
    author: { kind: 'bot', id: 'nlu' }, type: 'text', text: 'Your order is on its way.', attachments: [], replyToMessageId: id, timestamp: new Date(), ai,
  });
}

interface RunResult { concurrency: number; messages: number; seconds: number; samples: number[]; load: [number, number]; errors: number; firstError?: string }

async function measure(r: Repos, label: string, concurrency: number): Promise<RunResult> {
  const load0 = loadavg()[0];
  const samples: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < CONVERSATIONS && performance.now() - start < BUDGET_MS) {
      const n = next++;
      const conversationId = `${label}-c${concurrency}-${n}`;
      for (let i = 0; i < MESSAGES_PER_CONVERSATION; i++) {
        const id = `${conversationId}-m${i}`;
        const text = `where is my order ORD-${10000 + n}? (${i})`;
        const t0 = performance.now();
        try {
          await inbound(r, conversationId, `user-${conversationId}`, id, text, new Date());
          await reply(r, conversationId, id, text);
        } catch (err) {
          // The store refusing work (SQLite's "database is locked" under concurrency) is a result:
          // counted and shown, the conversation abandoned, the run goes on.
          errors++;
          firstError ??= err instanceof Error ? err.message.slice(-120) : String(err);
          break;
        }
        samples.push(performance.now() - t0);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  // Every message and its reply stored: a replay that silently skipped work would flatter the store.
  const stored = await r.raw.messages.countDocuments({ conversationId: { $regex: `^${label}-c${concurrency}-` } });
  if (errors === 0 && stored !== samples.length * 2) throw new Error(`expected ${samples.length * 2} stored messages, found ${stored}`);
  return { concurrency, messages: samples.length, seconds, samples, load: [load0, loadavg()[0]], errors, firstError };
}

/** ~`total` stored messages: conversations of 3 exchanges, with their bot turns. */
async function preload(r: Repos, total: number): Promise<number> {
  const perConversation = MESSAGES_PER_CONVERSATION * 2;
  const conversations = Math.ceil(total / perConversation);
  const t0 = performance.now();
  const batch = 250; // conversations per insertMany round (1,500 messages)
  const epoch = Date.now() - 30 * 24 * 3600_000;
  for (let from = 0; from < conversations; from += batch) {
    const convs: ConversationDoc[] = [];
    const msgs: MessageDoc[] = [];
    const turns: BotTurnDoc[] = [];
    for (let n = from; n < Math.min(conversations, from + batch); n++) {
      const id = `old-${n}`;
      const at = new Date(epoch + n * 1000);
      convs.push({
        _id: id, tenantId: TENANT, region: 'local', channel: 'web', accountId: 'site', customerId: customerKey(TENANT, 'web', 'site', `old-user-${n}`),
        channelUserId: `old-user-${n}`, state: 'bot', language: 'en', lastMessageAt: at, lastInboundAt: at, createdAt: at, updatedAt: at, since: at, version: 0,
      });
      for (let i = 0; i < MESSAGES_PER_CONVERSATION; i++) {
        const mid = `${id}-m${i}`;
        const ts = new Date(at.getTime() + i * 60_000);
        const base = { tenantId: TENANT, conversationId: id, channel: 'web', accountId: 'site', type: 'text', attachments: [], statusRank: 0, statusHistory: [], createdAt: ts };
        msgs.push({ ...base, _id: mid, channelMessageId: `ch-${mid}`, direction: 'inbound', author: { kind: 'customer', name: 'Old' }, text: `old question ${n}.${i}`, timestamp: ts });
        msgs.push({ ...base, _id: `${mid}:bot-reply`, channelMessageId: `${mid}:bot-reply`, direction: 'outbound', author: { kind: 'bot', id: 'nlu' }, text: 'Old answer.', replyToMessageId: mid, timestamp: ts });
        turns.push({ _id: mid, tenantId: TENANT, conversationId: id, ownerVersion: 0, at: ts, customerText: `old question ${n}.${i}`, ai: { language: 'en', intent: { name: 'order_status', confidence: 0.9 }, entities: [], answer: { text: 'Old answer.' }, abstained: false } });
      }
    }
    await r.raw.conversations.collection.insertMany(convs as never[], { ordered: false });
    await r.raw.messages.collection.insertMany(msgs as never[], { ordered: false });
    await r.raw.turns.collection.insertMany(turns as never[], { ordered: false });
  }
  const seconds = (performance.now() - t0) / 1000;
  const stored = await r.raw.messages.estimatedDocumentCount();
  console.log(`  preloaded ${stored.toLocaleString('en-US')} messages (${conversations.toLocaleString('en-US')} conversations, bot turns) in ${seconds.toFixed(0)} s`);
  return stored;
}

async function forHandler(handler: string): Promise<string[][]> {
  const data = resolve(ROOT, '.local', 'store-mix', handler);
  rmSync(data, { recursive: true, force: true });
  const [ferret, postgres] = await Promise.all([freePort(), freePort()]);
  // KAFKA_BROKERS set: infra.sh starts only the store.
  const env = { ...process.env, OMNI_DATA: data, FERRETDB_HANDLER: handler, FERRETDB_PORT: String(ferret), POSTGRES_PORT: String(postgres), KAFKA_BROKERS: 'unused:9', MONGODB_URI: '' };
  await run('bash', ['deploy/local/infra.sh', 'up'], env);
  const rows: string[][] = [];
  // As the apps connect (PersistenceModule.forRoot): pool 20, no retryable writes on FerretDB.
  const conn = await mongoose.createConnection(`mongodb://127.0.0.1:${ferret}/store-mix`, { maxPoolSize: 20, autoIndex: false, retryWrites: false }).asPromise();
  try {
    const r = repos(conn);
    await Promise.all(r.models.map((m) => m.createIndexes()));
    for (const phase of ['fresh', 'preloaded']) {
      let stored = await r.raw.messages.estimatedDocumentCount();
      if (phase === 'preloaded') stored = await preload(r, PRELOAD);
      for (const c of CONCURRENCY) {
        const res = await measure(r, phase, c);
        const l = latency(res.samples);
        const line = [handler, `${phase} (${stored.toLocaleString('en-US')} msgs)`, String(c), String(res.messages), (res.messages / res.seconds).toFixed(1), ms(l.p50), ms(l.p99), `${res.load[0].toFixed(1)}→${res.load[1].toFixed(1)}`, String(res.errors)];
        console.log(`  ${line.join('  ')}${res.firstError ? `  (first error: ${res.firstError})` : ''}`);
        rows.push(line);
      }
    }
  } finally {
    await conn.close();
    await run('bash', ['deploy/local/infra.sh', 'down'], env);
  }
  return rows;
}

async function main(): Promise<void> {
  const started = new Date().toISOString();
  const rows: string[][] = [['handler', 'store', 'conc', 'messages', 'msg/s', 'p50', 'p99', 'load 1m', 'failed']];
  for (const handler of HANDLERS) {
    console.log(`${handler}:`);
    rows.push(...(await forHandler(handler)));
  }
  console.log(`\nstore-mix, ${started} → ${new Date().toISOString()}; ${CONVERSATIONS} conversations × ${MESSAGES_PER_CONVERSATION} messages per run (budget ${BUDGET_MS / 1000} s); machine: ${cpus().length} cores`);
  console.log(table(rows));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
