import { randomUUID } from 'node:crypto';
import { Kafka, Partitioners } from 'kafkajs';
import { createConnection } from 'mongoose';
import { createEvent, outboundTopic, toKafkaRecord } from '@omni/contracts';
import { ContractServer } from '../../test/contract-servers/fault-server';
import { type GraphApiOptions, startGraphApiServer } from '../../test/contract-servers/graph-api';
import { startTelegramBotApiServer } from '../../test/contract-servers/telegram-bot-api';
import { ACCOUNTS, IngestChannel, TELEGRAM_BOT_TOKEN } from './ingest';

/**
 * Outbound throughput of one account: a backlog of send commands on omni.outbound.<channel>.v1,
 * drained by the built channel app against the local contract server enforcing the provider's
 * published limit (WhatsApp 80/s per number, Messenger 250/s per page, Telegram 30/s per bot and
 * 1/s per chat). Measured at the contract server: accepted sends per second between the first and
 * the last accepted one, and every 429 it answered.
 */
export const PROVIDER_LIMITS: Record<IngestChannel, { perAccount: number; perRecipient?: number }> = {
  whatsapp: { perAccount: 80 },
  messenger: { perAccount: 250 },
  telegram: { perAccount: 30, perRecipient: 1 },
};

export async function startContractServer(channel: IngestChannel, extra: Pick<GraphApiOptions, 'statusWebhooks'> = {}): Promise<ContractServer> {
  const limit = PROVIDER_LIMITS[channel];
  if (channel === 'telegram') {
    return startTelegramBotApiServer({
      token: TELEGRAM_BOT_TOKEN,
      rateLimit: { perBot: { limit: limit.perAccount, intervalMs: 1000 }, perChat: { limit: limit.perRecipient ?? 1, intervalMs: 1000 } },
    });
  }
  return startGraphApiServer({ rateLimit: { limit: limit.perAccount, intervalMs: 1000 }, ...extra });
}

/** Recipients of a run: enough distinct ones that a per-recipient limit never is the bottleneck. */
export function recipients(channel: IngestChannel): string[] {
  const n = channel === 'telegram' ? 4 * PROVIDER_LIMITS.telegram.perAccount : 200;
  return Array.from({ length: n }, (_, i) => String(1_650_100_0000 + i));
}

const conversationId = (channel: IngestChannel, run: string, recipient: string) => `bench-${run}-${channel}-${recipient}`;

/** The router's conversations, customer wrote a minute ago: free text is inside every window. */
export async function seedConversations(mongoUri: string, channel: IngestChannel, run: string): Promise<void> {
  const db = await createConnection(mongoUri).asPromise();
  try {
    const now = new Date();
    const ago = new Date(now.getTime() - 60_000);
    await db.collection('conversations').insertMany(
      recipients(channel).map((r) => ({
        _id: conversationId(channel, run, r) as never, tenantId: 'default', region: 'local', channel, accountId: ACCOUNTS[channel],
        customerId: `customer-${r}`, channelUserId: r, state: 'bot', lastInboundAt: ago, lastMessageAt: ago, createdAt: ago, updatedAt: now, version: 0,
      })),
    );
  } finally {
    await db.close();
  }
}

/** Puts `count` bot replies, round-robin over the recipients, on the app's outbound topic. */
export async function produceCommands(kafka: Kafka, topicPrefix: string, channel: IngestChannel, run: string, count: number): Promise<void> {
  const to = recipients(channel);
  const records = Array.from({ length: count }, (_, i) => {
    const recipient = to[i % to.length];
    const conv = conversationId(channel, run, recipient);
    const id = randomUUID();
    return toKafkaRecord(createEvent({
      type: 'omni.message.send.v1', id, source: '/bench', subject: conv, tenantId: 'default', region: 'local',
      data: {
        tenantId: 'default', region: 'local', channel, accountId: ACCOUNTS[channel], conversationId: conv, messageId: id,
        recipient: { channelUserId: recipient }, author: { kind: 'bot' },
        message: { type: 'text', text: `Your order ${i} ships tomorrow. Anything else I can help with?`, attachments: [] },
        createdAt: new Date().toISOString(),
      },
    }));
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let i = 0; i < records.length; i += 500) {
      await producer.send({ topic: `${topicPrefix}${outboundTopic(channel)}`, acks: -1, messages: records.slice(i, i + 500) });
    }
  } finally {
    await producer.disconnect();
  }
}

export interface OutboundResult {
  limit: number;
  commands: number;
  accepted: number;
  throttled: number;
  otherErrors: number;
  /** Accepted sends per second from the first to the last accepted one. */
  perSec: number;
  seconds: number;
}

/** Waits until `count` sends were accepted (or `timeoutMs` passed) and reads the figures off the server. */
export async function measureSends(server: ContractServer, channel: IngestChannel, count: number, timeoutMs: number): Promise<OutboundResult> {
  const isSend = (path: string) => (channel === 'telegram' ? /\/send\w+$/.test(path) : /\/messages$/.test(path));
  const deadline = Date.now() + timeoutMs;
  const accepted = () => server.requests.filter((r) => isSend(r.path) && r.status === 200);
  while (accepted().length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  const sends = server.requests.filter((r) => isSend(r.path));
  const ok = accepted().map((r) => r.at).sort((a, b) => a - b);
  const seconds = ok.length > 1 ? (ok[ok.length - 1] - ok[0]) / 1000 : Number.NaN;
  return {
    limit: PROVIDER_LIMITS[channel].perAccount,
    commands: count,
    accepted: ok.length,
    throttled: sends.filter((r) => r.status === 429).length,
    otherErrors: sends.filter((r) => r.status !== undefined && r.status !== 200 && r.status !== 429).length,
    perSec: ok.length > 1 ? (ok.length - 1) / seconds : Number.NaN,
    seconds,
  };
}
