// The baseline of the SMTP-ingest benchmark (scripts/bench/email.ts): what a hand-rolled inbound mail
// receiver does with no framework — smtp-server (our mailbox only, size limit, no AUTH), mailparser's
// simpleParser, one upsert of the thread facts by Message-ID (the gateway records them too, to thread
// replies) and one Kafka record (acks=all), then 250. No decoding of quotes, signatures, auto-replies
// or bounces, no CloudEvents, no schema validation, no telemetry: the floor the gateway's channel-email
// is compared against, in its own process like the app. Plain .mjs so nothing but Node, smtp-server,
// mailparser, kafkajs and mongoose runs.
//
// env: BARE_SMTP_PORT, BARE_BROKERS, BARE_TOPIC_PREFIX, BARE_MONGODB_URI, BARE_MAILBOX, BARE_MAX_BYTES.
// Prints "ready <port>" on stdout once Kafka and the database are connected.
import kafkajs from 'kafkajs';
import { simpleParser } from 'mailparser';
import mongoose from 'mongoose';
import { SMTPServer } from 'smtp-server';

const { Kafka, Partitioners, logLevel } = kafkajs;
const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};
const mailbox = env('BARE_MAILBOX').toLowerCase();
const topic = `${process.env.BARE_TOPIC_PREFIX ?? ''}email`;

const kafka = new Kafka({
  clientId: 'omni-bench-bare-smtp', brokers: env('BARE_BROKERS').split(','), connectionTimeout: 3_000, requestTimeout: 30_000,
  retry: { initialRetryTime: 200, retries: 8 }, logLevel: logLevel.NOTHING,
});
const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
const db = await mongoose.createConnection(env('BARE_MONGODB_URI')).asPromise();
const threads = db.collection('bench_mail_threads');

const smtpError = (responseCode, message) => Object.assign(new Error(message), { responseCode });

async function receive(stream, session) {
  const mail = await simpleParser(stream, { skipTextToHtml: true });
  const messageId = (mail.messageId ?? '').replace(/^<|>$/g, '');
  if (!messageId) throw smtpError(554, '5.6.0 mail without Message-ID');
  const from = mail.from?.value?.[0]?.address ?? session.envelope.mailFrom?.address ?? '';
  await threads.replaceOne({ _id: messageId }, { _id: messageId, from, subject: mail.subject, references: mail.references ?? [], receivedAt: new Date() }, { upsert: true });
  await producer.send({ topic, acks: -1, messages: [{ key: from, value: JSON.stringify({ messageId, from, subject: mail.subject, text: mail.text }) }] });
}

const server = new SMTPServer({
  name: mailbox.split('@')[1],
  size: Number(process.env.BARE_MAX_BYTES ?? 10 * 1024 * 1024),
  disabledCommands: ['STARTTLS', 'AUTH'],
  authOptional: true,
  logger: false,
  onRcptTo: (address, _session, cb) => (address.address.toLowerCase() === mailbox ? cb() : cb(smtpError(550, '5.1.1 no such mailbox here'))),
  onData: (stream, session, cb) => {
    receive(stream, session).then(() => cb(), (err) => cb(err.responseCode ? err : smtpError(451, `4.3.0 ${err.message}`)));
  },
});

await producer.connect();
server.listen(Number(env('BARE_SMTP_PORT')), '127.0.0.1', () => process.stdout.write(`ready ${server.server.address().port}\n`));
const stop = () => server.close(() => void Promise.allSettled([producer.disconnect(), db.close()]).finally(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
