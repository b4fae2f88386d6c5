import { parseArgs } from 'node:util';
import { INGEST_CHANNELS, IngestChannel } from './ingest';

export const SECTIONS = ['webchat', 'kafka', 'ingest', 'outbound', 'replicas', 'email', 'conversation', 'workspace'] as const;
export type Section = (typeof SECTIONS)[number];

export const USAGE = `usage: npm run bench [-- [--quick] [--only <sections>] [--channels <channels>]]
  --quick             shorter phases (about 10 minutes instead of about 26; conversation alone 7 instead of 14); same measurements, wider error bars
  --only <list>       comma-separated sections: ${SECTIONS.join(', ')} (default: all)
  --channels <list>   channels of the ingest and outbound sections: ${INGEST_CHANNELS.join(', ')} (default: all)
  --help              this text
Sections: webchat (round trip + memory), kafka (produce), ingest (webhooks/s), outbound (sends/s of one
account), replicas (sends/s of one WhatsApp number from three channel-whatsapp replicas sharing its limit), email (SMTP ingest), conversation (whole conversations: new WhatsApp customers × 3 messages at a
fixed rate, webhook 2xx -> reply at the Graph API contract server; saturated web chat, exactly once; and
a floor doing the same Kafka hops and database writes with raw kafkajs and the raw driver).
Knobs (env, override the profile): BENCH_SESSIONS, BENCH_MESSAGES, BENCH_LOAD_SECONDS, BENCH_RECORDS,
BENCH_CALLERS, BENCH_SOLO_MESSAGES, BENCH_INGEST_SECONDS, BENCH_INGEST_RATE, BENCH_INGEST_CONNECTIONS,
BENCH_EMAIL_CONNECTIONS, BENCH_EMAIL_RATE,
BENCH_OUTBOUND_SECONDS, BENCH_CONV_CUSTOMERS, BENCH_CONV_RATE, BENCH_CONV_GAP_SECONDS, BENCH_CONV_DRAIN_SECONDS,
BENCH_CONV_SESSIONS, BENCH_CONV_MESSAGES, BENCH_CONV_BACKLOG, BENCH_CONV_NEWCOMERS, BENCH_CONV_STATUSES (0: no status webhooks), BENCH_PARTITIONS. KAFKA_BROKERS / MONGODB_URI use running infrastructure instead of a private one.`;

export interface BenchOptions {
  quick: boolean;
  sections: Set<Section>;
  channels: IngestChannel[];
  sessions: number;
  perSession: number;
  loadSeconds: number;
  records: number;
  callers: number;
  solo: number;
  /** Length of the saturation and fixed-rate phases of each ingest measurement. */
  ingestSeconds: number;
  ingestRate: number;
  ingestConnections: number;
  /** SMTP connections of the email section's senders, and its open-loop rate (mails/s). */
  emailConnections: number;
  emailRate: number;
  /** Outbound backlog = limit × this many seconds. */
  outboundSeconds: number;
  /** conversation: new WhatsApp customers (3 messages each), their total rate (msg/s), seconds between one customer's messages, drain wait. */
  convCustomers: number;
  convRate: number;
  convGapSeconds: number;
  /** The Graph API contract server follows each accepted send with Meta's signed status webhooks (sent, delivered), as Meta does. */
  convStatuses: boolean;
  convDrainSeconds: number;
  /** conversation, saturated phase and its floor: web-chat sessions × messages each. */
  convSessions: number;
  convMessages: number;
  /** conversation, backlog phase: inbound messages queued, then this many newcomers' first messages timed. */
  convBacklog: number;
  convNewcomers: number;
  /** Partitions of every topic the bench creates and the apps use (throughput by partition count). */
  partitions: number;
}

function list<T extends string>(raw: string | undefined, allowed: readonly T[], what: string): T[] {
  if (raw === undefined) return [...allowed];
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((i) => !allowed.includes(i as T));
  if (bad.length || !items.length) throw new Error(`unknown ${what}: ${bad.join(', ') || '(none)'}; choose from ${allowed.join(', ')}\n${USAGE}`);
  return items as T[];
}

/** Reads argv and env; throws with the usage on anything it does not understand. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, channels: { type: 'string' }, help: { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const quick = values.quick;
  const num = (name: string, full: number, fast: number) => {
    const v = Number(env[name] ?? (quick ? fast : full));
    if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
    return v;
  };
  const flag = (name: string, byDefault: boolean) => {
    const v = env[name];
    if (v === undefined || v === '') return byDefault;
    if (v === '1' || v === 'true') return true;
    if (v === '0' || v === 'false') return false;
    throw new Error(`${name} must be 1 or 0`);
  };
  return {
    quick,
    sections: new Set(list(values.only, SECTIONS, 'section')),
    channels: list(values.channels, INGEST_CHANNELS, 'channel'),
    sessions: num('BENCH_SESSIONS', 40, 10),
    perSession: num('BENCH_MESSAGES', 8, 4),
    loadSeconds: num('BENCH_LOAD_SECONDS', 75, 20),
    records: num('BENCH_RECORDS', 20_000, 5_000),
    callers: num('BENCH_CALLERS', 200, 200),
    solo: num('BENCH_SOLO_MESSAGES', 20, 10),
    ingestSeconds: num('BENCH_INGEST_SECONDS', 12, 5),
    ingestRate: num('BENCH_INGEST_RATE', 1_000, 1_000),
    ingestConnections: num('BENCH_INGEST_CONNECTIONS', 32, 32),
    emailConnections: num('BENCH_EMAIL_CONNECTIONS', 8, 8),
    emailRate: num('BENCH_EMAIL_RATE', 50, 50),
    outboundSeconds: num('BENCH_OUTBOUND_SECONDS', 15, 5),
    convCustomers: num('BENCH_CONV_CUSTOMERS', 600, 150),
    convRate: num('BENCH_CONV_RATE', 60, 60),
    convGapSeconds: num('BENCH_CONV_GAP_SECONDS', 5, 5),
    convDrainSeconds: num('BENCH_CONV_DRAIN_SECONDS', 150, 60),
    convSessions: num('BENCH_CONV_SESSIONS', 400, 200),
    convMessages: num('BENCH_CONV_MESSAGES', 8, 4),
    convBacklog: num('BENCH_CONV_BACKLOG', 10_000, 2_000),
    convNewcomers: num('BENCH_CONV_NEWCOMERS', 3, 3),
    convStatuses: flag('BENCH_CONV_STATUSES', true),
    partitions: Math.round(num('BENCH_PARTITIONS', 3, 3)),
  };
}
