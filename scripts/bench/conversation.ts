import { randomBytes } from 'node:crypto';
import { Kafka, Partitioners } from 'kafkajs';
import { createConnection } from 'mongoose';
import WebSocket from 'ws';
import { TOPICS, createEvent, derivedId, toKafkaRecord } from '@omni/contracts';
import { withTimeout } from '@omni/resilience';
import type { ContractServer } from '../../test/contract-servers/fault-server';
import { freePort } from '../../test/support/apps';
import { signedMetaWebhook, whatsappTextWebhook } from '../../test/support/webhooks';
import { BareProcess, startBareProcess } from './bare-process';
import { ACCOUNTS, SECRETS } from './ingest';
import { createTopic } from './kafka';
import { Latency, latency } from './stats';

/**
 * Whole conversations through the gateway (issue: 600 new WhatsApp customers × 3 messages at 60/s):
 *  - burst: signed WhatsApp webhooks, open loop, into the built channel-whatsapp; through router and
 *    ai-worker; out through channel-whatsapp to the Graph API contract server (80/s limit). A reply is
 *    matched to its message by the quote every answer carries (`context.message_id` = the inbound
 *    wamid: the router sets replyToMessageId on welcomes, answers, workflow answers and handoff
 *    notices; the channel turns it into the quote). Answered = the first accepted send quoting it;
 *    a duplicate = one of our message ids (`biz_opaque_callback_data`) accepted more than once.
 *  - saturated: web-chat sessions (no provider limit on the path), closed loop; a reply is matched
 *    by id (the router derives the bot reply's id from the inbound id the channel acknowledges).
 *  - floor: the same messages through the same number of raw kafkajs hops, with the same number of
 *    raw-driver writes per message as the gateway did (counted by scripts/bench/db-counter.mjs).
 */

/** channel → inbound → router → ai.request → ai-worker → ai.result → router → outbound.<channel> → channel. */
export const GATEWAY_HOPS = 4;
const WRITES = ['insert', 'update', 'delete', 'findAndModify'];
const READS = ['find', 'aggregate', 'count', 'distinct', 'getMore'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// database command counter (a proxy in front of FerretDB)

export interface OpCounts {
  writes: number;
  reads: number;
  byCommand: Record<string, number>;
}

export interface DbCounter extends BareProcess {
  /** The same database URI, through the counter. */
  via(uri: string): string;
  counts(): Promise<Record<string, number>>;
  /** The same, per command and collection ("find messages"): where a message's round trips go. */
  byCollection(): Promise<Record<string, number>>;
  /** Per command and collection: replies, their summed and largest time at the store (since start). */
  latency(): Promise<Record<string, StoreTime>>;
}

export interface StoreTime {
  n: number;
  totalMs: number;
  maxMs: number;
}

/** The store's mean time per command between two latency snapshots, slowest first ("find messages 3.1 ms × 450"). */
export function storeTimeBetween(before: Record<string, StoreTime>, after: Record<string, StoreTime>, top = 8): string {
  return Object.entries(after)
    .map(([k, a]) => {
      const b = before[k] ?? { n: 0, totalMs: 0, maxMs: 0 };
      return { k, n: a.n - b.n, totalMs: a.totalMs - b.totalMs };
    })
    .filter((x) => x.n > 0)
    .sort((x, y) => y.totalMs - x.totalMs)
    .slice(0, top)
    .map((x) => `${x.k} ${(x.totalMs / x.n).toFixed(1)} ms × ${x.n}`)
    .join(', ');
}

export async function startDbCounter(mongoUri: string): Promise<DbCounter> {
  const port = await freePort();
  const statsPort = await freePort();
  const bare = await startBareProcess('db-counter.mjs', { COUNTER_PORT: String(port), COUNTER_STATS_PORT: String(statsPort), COUNTER_TARGET: new URL(mongoUri).host }, 'database counter');
  return {
    ...bare,
    via: (uri) => {
      const u = new URL(uri);
      u.host = `127.0.0.1:${port}`;
      return u.toString();
    },
    counts: async () => (await (await fetch(`http://127.0.0.1:${statsPort}/`)).json()) as Record<string, number>,
    byCollection: async () => (await (await fetch(`http://127.0.0.1:${statsPort}/by-collection`)).json()) as Record<string, number>,
    latency: async () => (await (await fetch(`http://127.0.0.1:${statsPort}/latency`)).json()) as Record<string, StoreTime>,
  };
}

/**
 * Counts after the pipeline went quiet: a message that was not answered in time may still be on its
 * way, and its writes belong to the phase (waits until no write for `quietMs`, at most `maxMs`).
 */
export async function settledCounts(counter: DbCounter, quietMs = 3_000, maxMs = 60_000): Promise<Record<string, number>> {
  const deadline = Date.now() + maxMs;
  let last = await counter.counts();
  while (Date.now() < deadline) {
    await sleep(quietMs);
    const now = await counter.counts();
    if (opsBetween(last, now).writes === 0) return now;
    last = now;
  }
  return last;
}

export function opsBetween(before: Record<string, number>, after: Record<string, number>): OpCounts {
  const byCommand = Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - (before[k] ?? 0)]).filter(([, v]) => (v as number) > 0)) as Record<string, number>;
  const sum = (names: string[]) => names.reduce((s, n) => s + (byCommand[n] ?? 0), 0);
  return { writes: sum(WRITES), reads: sum(READS), byCommand };
}

// ---------------------------------------------------------------------------------------------
// burst: new WhatsApp customers, 3 messages each, open loop

export const BURST_TEXTS = ['Hello!', 'Where is my order __ORDER__?', 'thanks'] as const;
const ORDERS = ['ORD-12345', 'ORD-483920', 'ORD-558213', 'ORD-998877', 'ORD-777001'];

export interface Slot {
  customer: number;
  /** 0, 1, 2: the customer's first, second, third message. */
  k: number;
}

/**
 * The send order of `customers` × `perCustomer` messages at `rate`/s: customers come in waves of
 * rate × gap; within a wave every customer's first message goes out, then every second one, … so a
 * customer's messages are `gap` seconds apart (fewer in a smaller last wave) while the total rate
 * stays `rate` — new customers keep arriving while earlier ones write their follow-ups.
 */
export function burstPlan(customers: number, perCustomer: number, rate: number, gapSeconds: number): Slot[] {
  const wave = Math.max(1, Math.round(rate * gapSeconds));
  const plan: Slot[] = [];
  for (let first = 0; first < customers; first += wave) {
    const last = Math.min(customers, first + wave);
    for (let k = 0; k < perCustomer; k++) for (let c = first; c < last; c++) plan.push({ customer: c, k });
  }
  return plan;
}

interface Posted {
  wamid: string;
  /** When the 2xx arrived (Date.now(), the clock the contract server stamps requests with). */
  okAt?: number;
  status?: number;
}

export interface BurstResult {
  sent: number;
  /** Webhooks answered 2xx. */
  accepted: number;
  failed: number;
  answered: number;
  unanswered: number;
  /** Our message ids accepted by the provider more than once. */
  duplicates: number;
  /** Further distinct sends quoting an already answered message (a welcome and the answer). */
  extraReplies: number;
  /** Accepted sends that quote none of this phase's messages. */
  unquoted: number;
  /** Sends the contract server refused with 429. */
  throttled: number;
  sentPerSec: number;
  answeredPerSec: number;
  /** Webhook 2xx → first accepted send quoting it. */
  latency: Latency;
  /** The same, messages whose webhook went out in the last fifth of the burst. */
  lateLatency: Latency;
  /** Last webhook's 2xx → last answer. */
  tailMs: number;
  seconds: number;
}

const WA_SEND = /^\/v\d+\.\d+\/\d+\/messages$/;

/** Reads the answers off the contract server's recorded requests. */
function answersOf(server: ContractServer, wamids: Set<string>) {
  const first = new Map<string, number>();
  const idsPerQuote = new Map<string, Set<string>>();
  const accepted = new Map<string, number>();
  let unquoted = 0;
  let throttled = 0;
  for (const r of server.requests) {
    if (r.method !== 'POST' || !WA_SEND.test(r.path)) continue;
    if (r.status === 429) throttled++;
    if (r.status !== 200) continue;
    const body = r.body as { context?: { message_id?: string }; biz_opaque_callback_data?: string };
    const ours = body.biz_opaque_callback_data ?? '';
    accepted.set(ours, (accepted.get(ours) ?? 0) + 1);
    const quoted = body.context?.message_id;
    if (!quoted || !wamids.has(quoted)) {
      unquoted++;
      continue;
    }
    if (!first.has(quoted) || r.at < (first.get(quoted) as number)) first.set(quoted, r.at);
    const ids = idsPerQuote.get(quoted) ?? new Set<string>();
    ids.add(ours);
    idsPerQuote.set(quoted, ids);
  }
  const duplicates = [...accepted.values()].reduce((s, n) => s + n - 1, 0);
  const extraReplies = [...idsPerQuote.values()].reduce((s, ids) => s + ids.size - 1, 0);
  return { first, duplicates, extraReplies, unquoted, throttled };
}

export interface BurstOptions {
  run: string;
  customers: number;
  perCustomer: number;
  rate: number;
  gapSeconds: number;
  drainMs: number;
  /** First phone number of this phase's customers (each phase its own new customers). */
  fromBase: number;
}

/** Sends the plan open loop (a webhook every 1/rate s, never waiting for answers) and waits for the replies. */
export async function whatsappBurst(appUrl: string, server: ContractServer, o: BurstOptions): Promise<BurstResult> {
  const plan = burstPlan(o.customers, o.perCustomer, o.rate, o.gapSeconds);
  const posted: Posted[] = [];
  const inflight: Promise<void>[] = [];
  server.reset();
  const t0 = performance.now();
  const wall0 = Date.now();
  for (let j = 0; j < plan.length; j++) {
    const wait = t0 + (j * 1000) / o.rate - performance.now();
    if (wait > 1) await sleep(wait);
    const { customer, k } = plan[j];
    const from = String(o.fromBase + customer);
    const wamid = `wamid.${o.run}.${customer}.${k}`;
    const text = BURST_TEXTS[k % BURST_TEXTS.length].replace('__ORDER__', ORDERS[customer % ORDERS.length]);
    const w = signedMetaWebhook(whatsappTextWebhook({ phoneNumberId: ACCOUNTS.whatsapp, from, wamid, text, name: 'Bench Customer' }), SECRETS.whatsapp);
    const p: Posted = { wamid };
    posted.push(p);
    inflight.push(
      fetch(`${appUrl}/webhooks/whatsapp`, { method: 'POST', headers: w.headers, body: w.body, signal: AbortSignal.timeout(10_000) })
        .then(async (res) => {
          await res.arrayBuffer();
          p.status = res.status;
          if (res.ok) p.okAt = Date.now();
        })
        .catch(() => undefined),
    );
  }
  const sendSeconds = (performance.now() - t0) / 1000;
  await Promise.all(inflight);
  const ok = posted.filter((p) => p.okAt !== undefined);
  const wamids = new Set(ok.map((p) => p.wamid));
  const deadline = Date.now() + o.drainMs;
  while (Date.now() < deadline && answersOf(server, wamids).first.size < wamids.size) await sleep(250);
  // Late duplicates and second replies still count: give the pipeline a moment after the last answer.
  await sleep(3_000);
  const a = answersOf(server, wamids);
  const lateFrom = Math.floor(posted.length * 0.8);
  const samples: number[] = [];
  const late: number[] = [];
  posted.forEach((p, j) => {
    const at = a.first.get(p.wamid);
    if (p.okAt === undefined || at === undefined) return;
    samples.push(Math.max(0, at - p.okAt));
    if (j >= lateFrom) late.push(Math.max(0, at - p.okAt));
  });
  const answers = [...a.first.values()];
  const lastAnswer = answers.length ? Math.max(...answers) : Number.NaN;
  const lastOk = ok.length ? Math.max(...ok.map((p) => p.okAt as number)) : Number.NaN;
  return {
    sent: posted.length,
    accepted: ok.length,
    failed: posted.length - ok.length,
    answered: a.first.size,
    unanswered: wamids.size - a.first.size,
    duplicates: a.duplicates,
    extraReplies: a.extraReplies,
    unquoted: a.unquoted,
    throttled: a.throttled,
    sentPerSec: posted.length / sendSeconds,
    answeredPerSec: a.first.size / ((lastAnswer - wall0) / 1000),
    latency: latency(samples),
    lateLatency: latency(late),
    tailMs: lastAnswer - lastOk,
    seconds: (lastAnswer - wall0) / 1000,
  };
}

// ---------------------------------------------------------------------------------------------
// saturated: web-chat sessions, closed loop, replies matched by id

export const SATURATED_TEXTS = ['Where is my order ORD-483920?', 'what are your opening hours?', 'how can I return an item?', 'how long does delivery take?', 'thanks'];

interface Frame {
  type: string;
  clientMessageId?: string;
  messageId?: string;
  code?: string;
  reason?: string;
  message?: { id: string; direction: string; author: string };
}

/** One widget session (apps/channel-web/src/chat/protocol.ts) that records every message it is sent. */
class WebSession {
  /** Outbound message id → times delivered on this socket, and when first. */
  readonly delivered = new Map<string, { n: number; at: number }>();
  private readonly acks = new Map<string, { resolve: (id: string) => void; reject: (e: Error) => void }>();
  private readonly waiters = new Map<string, () => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (raw: Buffer) => {
      const f = JSON.parse(raw.toString()) as Frame;
      if (f.type === 'ack' && f.clientMessageId) this.acks.get(f.clientMessageId)?.resolve(f.messageId ?? '');
      if (f.type === 'error' && f.clientMessageId) this.acks.get(f.clientMessageId)?.reject(new Error(`${f.code}: ${f.reason}`));
      if (f.type === 'message' && f.message && f.message.direction === 'outbound') {
        const d = this.delivered.get(f.message.id);
        if (d) d.n++;
        else this.delivered.set(f.message.id, { n: 1, at: performance.now() });
        this.waiters.get(f.message.id)?.();
      }
    });
  }

  static open(baseUrl: string): Promise<WebSession> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws`);
      ws.once('error', reject);
      ws.once('open', () => ws.send(JSON.stringify({ type: 'hello', displayName: 'bench' })));
      const onWelcome = (raw: Buffer) => {
        if ((JSON.parse(raw.toString()) as Frame).type !== 'welcome') return;
        ws.off('message', onWelcome);
        resolve(new WebSession(ws));
      };
      ws.on('message', onWelcome);
    });
  }

  /** Sends one message; resolves with ms from the send to its reply, or undefined when none came in time. */
  async exchange(clientMessageId: string, text: string, timeoutMs: number): Promise<{ ms?: number; replyIds: string[]; inboundId?: string; sentAt: number; error?: string }> {
    const t0 = performance.now();
    const sentAt = Date.now();
    const acked = new Promise<string>((resolve, reject) => this.acks.set(clientMessageId, { resolve, reject }));
    this.ws.send(JSON.stringify({ type: 'message', clientMessageId, text }));
    let inbound: string;
    try {
      inbound = await Promise.race([acked, sleep(timeoutMs).then(() => Promise.reject(new Error('no ack')))]);
    } catch (err) {
      return { replyIds: [], sentAt, error: (err as Error).message };
    } finally {
      this.acks.delete(clientMessageId);
    }
    // The bot's answer, a workflow's answer and a handoff notice have ids derived from the inbound id.
    const replyIds = ['bot-reply', 'handoff-notice'].map((p) => derivedId(inbound, p));
    const seen = () => replyIds.map((id) => this.delivered.get(id)?.at).find((at) => at !== undefined);
    if (seen() === undefined) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(0, t0 + timeoutMs - performance.now()));
        function done() {
          clearTimeout(timer);
          resolve();
        }
        for (const id of replyIds) this.waiters.set(id, done);
      });
      for (const id of replyIds) this.waiters.delete(id);
    }
    const at = seen();
    return { ms: at === undefined ? undefined : at - t0, replyIds, inboundId: inbound, sentAt };
  }

  close(): void {
    this.ws.close();
  }
}

export interface SaturatedResult {
  sent: number;
  answered: number;
  unanswered: number;
  /** Replies delivered more than once on their session's socket. */
  duplicates: number;
  errors: string[];
  perSec: number;
  seconds: number;
  latency: Latency;
}

/** `sessions` web-chat sessions, each sending `perSession` messages one after another (a reply or the timeout before the next). */
export async function webChatSaturated(baseUrl: string, sessions: number, perSession: number, timeoutMs = 30_000): Promise<SaturatedResult> {
  const open: WebSession[] = [];
  for (let i = 0; i < sessions; i += 50) open.push(...(await Promise.all(Array.from({ length: Math.min(50, sessions - i) }, () => WebSession.open(baseUrl)))));
  const samples: number[] = [];
  const errors: string[] = [];
  const expected: { s: WebSession; ids: string[] }[] = [];
  let sent = 0;
  const t0 = performance.now();
  let last = t0;
  try {
    await Promise.all(open.map(async (s, i) => {
      for (let k = 0; k < perSession; k++) {
        sent++;
        const r = await s.exchange(`bench-${i}-${k}`, SATURATED_TEXTS[(i + k) % SATURATED_TEXTS.length], timeoutMs);
        if (r.error) errors.push(r.error);
        expected.push({ s, ids: r.replyIds });
        if (r.ms !== undefined) {
          samples.push(r.ms);
          last = Math.max(last, performance.now());
        }
      }
    }));
    // Late and duplicate deliveries still count.
    await sleep(2_000);
  } finally {
    for (const s of open) s.close();
  }
  const answered = expected.filter(({ s, ids }) => ids.some((id) => s.delivered.has(id))).length;
  const duplicates = open.reduce((sum, s) => sum + [...s.delivered.values()].reduce((d, v) => d + v.n - 1, 0), 0);
  const seconds = (last - t0) / 1000;
  return { sent, answered, unanswered: sent - answered, duplicates, errors, perSec: samples.length ? samples.length / seconds : 0, seconds, latency: latency(samples) };
}

// ---------------------------------------------------------------------------------------------
// backlog: a newcomer's first message while the inbound topic holds a backlog

/** Puts `count` web-chat customer messages (1,000 conversations, 10 messages each) on the inbound topic. */
export async function produceBacklog(kafka: Kafka, topicPrefix: string, run: string, count: number): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let i = 0; i < count; i += 500) {
      const records = Array.from({ length: Math.min(500, count - i) }, (_, j) => {
        const n = i + j;
        const conversationId = `bench-backlog-${run}-${n % 1000}`;
        const scope = { tenantId: 'default', region: 'local' };
        return toKafkaRecord(createEvent({
          type: 'omni.message.received.v1', id: `bench-backlog-${run}-${n}`, source: '/channels/web/default', subject: conversationId, ...scope,
          data: {
            ...scope, channel: 'web', accountId: 'default', conversationId,
            customer: { channelUserId: `backlog${run.replace(/\W/g, '')}${n % 1000}`.slice(0, 64), displayName: 'Backlog' },
            message: { channelMessageId: `backlog-${n}`, direction: 'inbound', type: 'text', text: SATURATED_TEXTS[n % SATURATED_TEXTS.length], attachments: [], timestamp: new Date().toISOString() },
          },
        }));
      });
      await producer.send({ topic: `${topicPrefix}${TOPICS.inbound}`, acks: -1, messages: records });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Where a newcomer's time went, from the stored messages' createdAt (ms after the send). */
export interface NewcomerStages {
  /** The router's inbound step stored the message. */
  inboundStoredMs?: number;
  /** The AI worker recorded its prediction (nlu_predictions.at, before it publishes the result). */
  predictedMs?: number;
  /** The router's reply step stored the answer (after the AI worker). */
  replyStoredMs?: number;
  /** The answer reached the socket. */
  answeredMs?: number;
}

/** `newcomers` new web-chat sessions one after another, each sending one message: ms to each first answer. */
export async function newcomerAnswers(baseUrl: string, newcomers: number, timeoutMs: number): Promise<{ samples: number[]; unanswered: number; sent: { inboundId?: string; replyIds: string[]; sentAt: number; ms?: number }[] }> {
  const samples: number[] = [];
  const sent: { inboundId?: string; replyIds: string[]; sentAt: number; ms?: number }[] = [];
  let unanswered = 0;
  for (let i = 0; i < newcomers; i++) {
    const s = await WebSession.open(baseUrl);
    try {
      const r = await s.exchange(`newcomer-${i}-${randomBytes(4).toString('hex')}`, SATURATED_TEXTS[i % SATURATED_TEXTS.length], timeoutMs);
      sent.push({ inboundId: r.inboundId, replyIds: r.replyIds, sentAt: r.sentAt, ms: r.ms });
      if (r.ms === undefined) unanswered++;
      else samples.push(r.ms);
    } finally {
      s.close();
    }
  }
  return { samples, unanswered, sent };
}

/** Each newcomer's stages, read from the messages the router stored (their createdAt). */
export async function newcomerStages(mongoUri: string, sent: { inboundId?: string; replyIds: string[]; sentAt: number; ms?: number }[]): Promise<NewcomerStages[]> {
  const db = await createConnection(mongoUri, { serverSelectionTimeoutMS: 5_000 }).asPromise();
  try {
    const ids = sent.flatMap((s) => [...(s.inboundId ? [s.inboundId] : []), ...s.replyIds]);
    const docs = await db.collection<{ _id: string; createdAt: Date }>('messages').find({ _id: { $in: ids } }, { projection: { createdAt: 1 } }).toArray();
    const at = new Map(docs.map((d) => [d._id, d.createdAt.getTime()]));
    const predictions = await db.collection<{ _id: string; at: Date }>('nlu_predictions').find({ _id: { $in: ids } }, { projection: { at: 1 } }).toArray();
    const predicted = new Map(predictions.map((d) => [d._id, d.at.getTime()]));
    return sent.map((s) => {
      const reply = s.replyIds.map((id) => at.get(id)).find((t) => t !== undefined);
      const inbound = s.inboundId ? at.get(s.inboundId) : undefined;
      const prediction = s.inboundId ? predicted.get(s.inboundId) : undefined;
      return {
        ...(inbound !== undefined ? { inboundStoredMs: inbound - s.sentAt } : {}),
        ...(prediction !== undefined ? { predictedMs: prediction - s.sentAt } : {}),
        ...(reply !== undefined ? { replyStoredMs: reply - s.sentAt } : {}),
        ...(s.ms !== undefined ? { answeredMs: Math.round(s.ms) } : {}),
      };
    });
  } finally {
    await db.close();
  }
}

// ---------------------------------------------------------------------------------------------
// floor: raw kafkajs hops + raw driver writes for the same messages

export interface FloorResult {
  answered: number;
  perSec: number;
  seconds: number;
  latency: Latency;
  writes: number;
}

/**
 * The gateway's work without the gateway: each message crosses `hops` topics (a raw kafkajs consumer
 * per stage, the stage's writes, then a produce with acks=all to the next topic) and costs
 * `writesPerMessage` raw-driver writes (alternately an insertOne of a message document and an
 * updateOne upsert of its conversation), spread over the stages before the last. Each stage takes
 * a fetched batch at once (a message's writes in order, messages side by side) — what a keyed-
 * concurrency consumer does with one message in flight per conversation. Driven like the saturated
 * phase: `sessions` sessions, each waiting for its message to leave the last hop before the next.
 */
const FLOOR_MESSAGE_TIMEOUT_MS = 60_000;
const FLOOR_TEARDOWN_TIMEOUT_MS = 30_000;

/**
 * The floor's driver settings: those of the apps (libs/persistence). The pool size is what matters:
 * FerretDB 1.x on PostgreSQL (1.24.2 here) serves an update of an existing document by opening a
 * query on one connection of its PostgreSQL pool (pool_max_conns, 50 by default) and, with that
 * query still open, taking a second connection for the update's transaction. Fifty such updates at
 * once hold all fifty connections and each waits for a second one: FerretDB stops answering for
 * good, even `ping` (a goroutine dump shows 50 updates in pgxpool.Acquire under UpdateAll, each
 * holding its Query's connection). The driver's default pool (100 connections, one command each)
 * let the floor's 200 sessions send that many updates at once; 200 concurrent updateOne upserts
 * alone wedge it, with no proxy and no Kafka. At most 20 commands in flight need at most 40.
 */
export const FLOOR_DB_OPTIONS = { maxPoolSize: 20, serverSelectionTimeoutMS: 5_000, socketTimeoutMS: 20_000, waitQueueTimeoutMS: 20_000, autoIndex: false, retryWrites: false };

export async function floorChain(
  kafka: Kafka, mongoUri: string, prefix: string, hops: number, writesPerMessage: number, sessions: number, perSession: number, partitions: number,
): Promise<FloorResult> {
  const topics = Array.from({ length: hops }, (_, i) => `${prefix}floor.hop${i + 1}`);
  for (const t of topics) await createTopic(kafka, t, partitions);
  const db = await createConnection(mongoUri, FLOOR_DB_OPTIONS).asPromise();
  const messages = db.collection('floor_messages');
  const conversations = db.collection('floor_conversations');
  // Not idempotent, as in rawRoundTrips: kafkajs misorders idempotent sequences under concurrent sends.
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  const consumers = topics.map((t) => kafka.consumer({ groupId: `${t}-stage`, maxWaitTimeInMs: 1_000, allowAutoTopicCreation: false }));
  const waiting = new Map<string, () => void>();
  const stages = hops - 1;
  let writes = 0;
  // Why messages stop coming out, for the phase's failure: kafkajs retries a failed batch quietly.
  let stageError: string | undefined;
  let stopping = false;
  const write = async (stage: number, id: string, conversation: string, text: string) => {
    for (let j = stage; j < writesPerMessage; j += stages) {
      writes++;
      // A stage's batch that kafkajs redelivers (a failed write, a rebalance) writes again: as the
      // gateway's handlers, the floor's are idempotent (a duplicate _id is "already stored").
      if (j % 2 === 0) await messages.insertOne({ _id: `${id}:${j}` as never, conversationId: conversation, text, at: new Date() }).catch((err: unknown) => {
        if ((err as { code?: number }).code !== 11000) throw err;
      });
      else await conversations.updateOne({ _id: conversation as never }, { $set: { lastMessageAt: new Date() }, $inc: { messages: 1 } }, { upsert: true });
    }
  };
  let result: FloorResult | undefined;
  let failure: unknown;
  try {
    await Promise.all([producer.connect(), ...consumers.map((c) => c.connect())]);
    const joined = consumers.map((c) => new Promise<void>((r) => c.on(c.events.GROUP_JOIN, () => r())));
    for (const [i, c] of consumers.entries()) {
      c.on(c.events.CRASH, (e) => {
        stageError = `hop ${i + 1}'s consumer crashed: ${errorText(e.payload.error)}`;
      });
      await c.subscribe({ topics: [topics[i]], fromBeginning: true });
      if (i === hops - 1) {
        await c.run({ partitionsConsumedConcurrently: partitions, eachMessage: async ({ message }) => waiting.get((message.value?.toString() ?? '').split('\u0000')[0])?.() });
        continue;
      }
      await c.run({
        partitionsConsumedConcurrently: partitions,
        eachBatch: async ({ batch }) => {
          // Tearing down: disconnect() waits for the running batches, so none starts new work.
          if (stopping) return;
          try {
            await Promise.all(batch.messages.map((m) => {
              const [id, conversation, text] = (m.value?.toString() ?? '').split('\u0000');
              return write(i, id, conversation, text);
            }));
            await producer.send({ topic: topics[i + 1], acks: -1, messages: batch.messages.map((m) => ({ key: m.key, value: m.value })) });
          } catch (err) {
            stageError = `hop ${i + 1}, partition ${batch.partition}: ${errorText(err)}`;
            throw err;
          }
        },
      });
    }
    // Not joined within a minute: fail the phase with the reason rather than hang the bench (seen once).
    await withTimeout(Promise.all(joined), 60_000, 'floor: the stage consumers joining their groups');
    const message = async (session: string, text: string): Promise<number> => {
      const id = randomBytes(8).toString('hex');
      const t0 = performance.now();
      const got = new Promise<void>((resolve) => waiting.set(id, resolve));
      try {
        // The send and the way out of the last hop, bounded together.
        const sent = producer.send({ topic: topics[0], acks: -1, messages: [{ key: session, value: `${id}\u0000${session}\u0000${text}` }] });
        await withTimeout(Promise.all([sent, got]), FLOOR_MESSAGE_TIMEOUT_MS, `floor: message ${id} of ${session} through ${hops} hops`);
      } catch (err) {
        throw new Error(`${errorText(err)}${stageError ? ` (last stage error: ${stageError})` : ''}`, { cause: err });
      } finally {
        waiting.delete(id);
      }
      return performance.now() - t0;
    };
    // Warm-up (connections, JIT), not timed.
    await Promise.all(Array.from({ length: Math.min(sessions, 20) }, (_, s) => message(`warm-${prefix}-${s}`, 'warm-up')));
    writes = 0;
    const samples: number[] = [];
    const t0 = performance.now();
    await Promise.all(Array.from({ length: sessions }, async (_, s) => {
      for (let k = 0; k < perSession && !stopping; k++) samples.push(await message(`${prefix}-${s}`, SATURATED_TEXTS[(s + k) % SATURATED_TEXTS.length]));
    }));
    const seconds = (performance.now() - t0) / 1000;
    result = { answered: samples.length, perSec: samples.length / seconds, seconds, latency: latency(samples), writes };
  } catch (err) {
    failure = err;
  }
  stopping = true;
  if (failure !== undefined) {
    // Tells a store that stopped answering (as FerretDB does once wedged) from a slow or broken chain.
    const alive = await withTimeout(db.db!.admin().command({ ping: 1 }), 5_000, 'ping').then(() => true, () => false);
    if (!alive) failure = new Error(`${errorText(failure)}; the database no longer answers ping within 5 s`, { cause: failure });
  }
  // Bounded too: kafkajs' disconnect() waits for a running eachBatch without a timeout, and a batch
  // waits for its writes. Closing the database first fails a write still in flight (the driver
  // closes checked-out connections), so no batch outlives the phase.
  const teardown: string[] = [];
  await withTimeout(db.close(), FLOOR_TEARDOWN_TIMEOUT_MS, 'floor: closing the database connection').catch((err: unknown) => teardown.push(errorText(err)));
  await withTimeout(Promise.allSettled([...consumers.map((c) => c.disconnect()), producer.disconnect()]), FLOOR_TEARDOWN_TIMEOUT_MS, 'floor: disconnecting the stage consumers and the producer')
    .catch((err: unknown) => teardown.push(errorText(err)));
  if (failure !== undefined) throw new Error(teardown.length ? `${errorText(failure)}; then ${teardown.join('; ')}` : errorText(failure), { cause: failure });
  if (teardown.length || !result) throw new Error(teardown.join('; ') || 'floor: no result');
  return result;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
