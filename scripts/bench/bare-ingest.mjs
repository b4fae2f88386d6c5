// The baseline of the webhook-ingest benchmark (scripts/bench/ingest.ts): what a hand-rolled
// receiver does with no framework at all — `node:http`, the provider's check (HMAC-SHA256 of the raw
// body for Meta, the secret-token header for Telegram), JSON.parse, one Kafka record per message
// (acks=all, same client settings as the gateway) and 200 once Kafka acknowledged. No CloudEvents,
// no schema validation, no telemetry: the floor the gateway is compared against, in its own process
// like the app. Plain .mjs so nothing but Node and kafkajs runs.
//
// env: BARE_PORT, BARE_BROKERS, BARE_TOPIC_PREFIX, BARE_WHATSAPP_SECRET, BARE_MESSENGER_SECRET,
// BARE_TELEGRAM_SECRET. Prints "ready <port>" on stdout once the producer is connected.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import kafkajs from 'kafkajs';

const { Kafka, Partitioners, logLevel } = kafkajs;
const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};
const prefix = process.env.BARE_TOPIC_PREFIX ?? '';

const kafka = new Kafka({
  clientId: 'omni-bench-bare', brokers: env('BARE_BROKERS').split(','), connectionTimeout: 3_000, requestTimeout: 30_000,
  retry: { initialRetryTime: 200, retries: 8 }, logLevel: logLevel.NOTHING,
});
// Not idempotent: kafkajs misorders idempotent sequence numbers under concurrent sends, which is
// what one send per request does. acks=all keeps the durability cost equal to the gateway's.
const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });

const metaSignatureOk = (secret, raw, header) => {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(raw).digest('hex'));
  const got = Buffer.from(header.slice(7));
  return got.length === expected.length && timingSafeEqual(got, expected);
};
const tokenOk = (secret, header) => {
  if (typeof header !== 'string') return false;
  const a = Buffer.from(header);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
};

const channels = {
  whatsapp: {
    verify: (raw, h) => metaSignatureOk(env('BARE_WHATSAPP_SECRET'), raw, h['x-hub-signature-256']),
    records: (body) => (body.entry ?? []).flatMap((e) => (e.changes ?? []).flatMap((c) => (c.value?.messages ?? []).map((m) => ({ key: m.from, value: JSON.stringify(m) })))),
  },
  messenger: {
    verify: (raw, h) => metaSignatureOk(env('BARE_MESSENGER_SECRET'), raw, h['x-hub-signature-256']),
    records: (body) => (body.entry ?? []).flatMap((e) => (e.messaging ?? []).map((m) => ({ key: m.sender?.id, value: JSON.stringify(m) }))),
  },
  telegram: {
    verify: (_raw, h) => tokenOk(env('BARE_TELEGRAM_SECRET'), h['x-telegram-bot-api-secret-token']),
    records: (body) => [{ key: String(body.message?.chat?.id ?? body.update_id), value: JSON.stringify(body) }],
  },
};

const reply = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const server = createServer((req, res) => {
  const channel = channels[/^\/webhooks\/(\w+)$/.exec(req.url ?? '')?.[1] ?? ''];
  if (req.method !== 'POST' || !channel) return reply(res, 404, { error: 'not_found' });
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    if (!channel.verify(raw, req.headers)) return reply(res, 401, { error: 'signature_invalid' });
    let body;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      return reply(res, 400, { error: 'validation_failed', reason: err.message });
    }
    const messages = channel.records(body);
    const topic = `${prefix}${/^\/webhooks\/(\w+)$/.exec(req.url)[1]}`;
    producer.send({ topic, acks: -1, messages }).then(
      () => reply(res, 200, { ok: true, messages: messages.length }),
      (err) => reply(res, 503, { error: 'publish_failed', reason: err.message }),
    );
  });
});

await producer.connect();
server.keepAliveTimeout = 65_000;
server.listen(Number(env('BARE_PORT')), '127.0.0.1', () => process.stdout.write(`ready ${server.address().port}\n`));
const stop = () => server.close(() => void producer.disconnect().finally(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
