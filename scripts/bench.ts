/**
 * `npm run bench`: measures the gateway on this machine against baselines taken in the same run —
 * web-chat round trip vs a raw kafkajs produce→consume hop, EventPublisher throughput vs raw
 * sendBatch, and each app's RSS (idle, under load) vs a bare Node process. Prints a table; asserts
 * nothing. Starts a private Kafka + FerretDB (unless KAFKA_BROKERS / MONGODB_URI are given), builds
 * the apps, and tears everything down at the end, on failure and on Ctrl-C.
 * Knobs: BENCH_SESSIONS (40), BENCH_MESSAGES per session (8), BENCH_LOAD_SECONDS (75: no new chat
 * message after this, keeping a run under ~3 minutes), BENCH_RECORDS (20000), BENCH_CALLERS (200).
 */
import { Kafka } from 'kafkajs';
import { EventPublisher } from '@omni/messaging';
import { AppName, RunningApp, startApp } from '../test/support/apps';
import { Infra, buildApps, startInfra, withDatabase } from './bench/infra';
import { benchKafka, benchSettings, createTopic, gatewayProducer, publisherThroughput, rawRoundTrips, rawSendBatch, sampleEvent } from './bench/kafka';
import { RssSampler, bareNodeRssKiB, rssKiB } from './bench/memory';
import { latency, mib, ms, perSec, ratio, table } from './bench/stats';
import { webChatRoundTrips } from './bench/webchat';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SESSIONS = num('BENCH_SESSIONS', 40);
const PER_SESSION = num('BENCH_MESSAGES', 8);
const LOAD_SECONDS = num('BENCH_LOAD_SECONDS', 75);
const RECORDS = num('BENCH_RECORDS', 20_000);
const CALLERS = num('BENCH_CALLERS', 200);
const SOLO = num('BENCH_SOLO_MESSAGES', 20);
const PARTITIONS = 3;
const APPS: AppName[] = ['router', 'ai-worker', 'channel-web'];

const say = (msg: string) => process.stderr.write(`\x1b[36m[bench]\x1b[0m ${msg}\n`);
const run = `bench-${Date.now().toString(36)}`;
let infra: Promise<Infra> | undefined;
const apps: RunningApp[] = [];

const appStops: Promise<unknown>[] = [];
let infraDown: Promise<void> | undefined;
let stopping = false;

/** Stops every app started so far and, once, the infrastructure. Safe to call more than once. */
async function teardown(): Promise<void> {
  appStops.push(...apps.splice(0).map((a) => a.stop()));
  // Apps drain against Kafka and the database, so those go only after every app has exited.
  await Promise.allSettled(appStops);
  // Still starting (failure elsewhere, Ctrl-C): wait for it, then stop what did start. A start
  // that fails stops its own parts.
  infraDown ??= (async () => (await infra?.catch(() => undefined))?.down())();
  await infraDown;
}

/** Between steps: after Ctrl-C nothing new is started; main's finally tears down. */
function checkpoint(): void {
  if (stopping) throw new Error('interrupted');
}

async function benchKafkaOnly(kafka: Kafka) {
  say(`raw kafkajs round trip: 1 session × ${SOLO} messages, then ${SESSIONS} sessions × ${PER_SESSION}`);
  const rawSolo = latency(await rawRoundTrips(kafka, `${run}.rtt-solo`, 1, SOLO, PARTITIONS));
  const rawRtt = latency(await rawRoundTrips(kafka, `${run}.rtt`, SESSIONS, PER_SESSION, PARTITIONS));

  say(`produce throughput: ${RECORDS} records, acks=all`);
  const topic = `${run}.throughput`;
  await createTopic(kafka, topic, PARTITIONS);
  const producer = gatewayProducer(kafka);
  await producer.connect();
  try {
    const publisher = new EventPublisher(producer, benchSettings(PARTITIONS));
    const events = Array.from({ length: RECORDS }, (_, i) => sampleEvent(i));
    // Warm both paths (connections, metadata, JIT) before timing.
    await rawSendBatch(producer, topic, events.slice(0, 1000), 500);
    await publisherThroughput(publisher, topic, events.slice(0, 1000), CALLERS);
    const raw = await rawSendBatch(producer, topic, events, 500);
    const gateway = await publisherThroughput(publisher, topic, events, CALLERS);
    await publisher.drain();
    return { rawSolo, rawRtt, raw, gateway };
  } finally {
    await producer.disconnect();
  }
}

async function main(): Promise<void> {
  const t0 = Date.now();
  say('starting private infrastructure and building the apps');
  infra = startInfra();
  const [started] = await Promise.all([infra, buildApps(APPS)]);
  checkpoint();
  const kafka = benchKafka(started.brokers);
  const env = {
    KAFKA_BROKERS: started.brokers,
    MONGODB_URI: withDatabase(started.mongoUri, run.replace(/-/g, '_')),
    KAFKA_TOPIC_PREFIX: `${run}.`,
    KAFKA_PARTITIONS: String(PARTITIONS),
    // One session sends faster than a person types; the limiter is not what is measured here.
    WEB_RATE_LIMIT_PER_10S: '10000',
  };

  say('starting router, ai-worker, channel-web');
  for (const name of APPS) {
    apps.push(await startApp(name, { ...env, INSTANCE_ID: `${name}-bench` }));
    checkpoint();
  }
  const web = apps[apps.length - 1];
  const pids = Object.fromEntries(apps.map((a) => [a.name, a.proc.pid]));
  await new Promise((r) => setTimeout(r, 2_000));
  const idle = Object.fromEntries(apps.map((a) => [a.name, rssKiB(a.proc.pid)]));
  const bare = await bareNodeRssKiB();

  checkpoint();
  const k = await benchKafkaOnly(kafka);
  checkpoint();

  say(`web-chat round trip: 1 session × ${SOLO} messages (unloaded)`);
  const solo = await webChatRoundTrips(web.url, 1, SOLO);
  checkpoint();
  say(`web-chat round trip: ${SESSIONS} sessions × ${PER_SESSION} messages through all three apps`);
  const sampler = new RssSampler(pids).start();
  const load = await webChatRoundTrips(web.url, SESSIONS, PER_SESSION, LOAD_SECONDS * 1000).finally(() => sampler.stop());
  checkpoint();
  report(started, { ...k, solo: latency(solo.samples), rtt: latency(load.samples), loadSeconds: load.seconds, failures: [...solo.failures, ...load.failures], idle, loaded: sampler.stop(), bare }, (Date.now() - t0) / 1000);
}

interface Results extends Awaited<ReturnType<typeof benchKafkaOnly>> {
  solo: ReturnType<typeof latency>;
  loadSeconds: number;
  failures: string[];
  rtt: ReturnType<typeof latency>;
  idle: Record<string, number>;
  loaded: Record<string, number>;
  bare: number;
}

function report(infraInfo: Infra, r: Results, seconds: number): void {
  const out: string[] = [];
  out.push(`\nomni-gateway benchmark (${new Date().toISOString()}, node ${process.versions.node}, ${infraInfo.privateParts.join(' + ') || 'external infra'}, ${seconds.toFixed(0)} s)\n`);
  out.push('Web-chat round trip: WebSocket send -> bot reply, each session waits for its reply before the next message');
  out.push('(the gateway path crosses Kafka 4 times: inbound, ai.request, ai.result, outbound.web; baseline is 1 raw hop, acks=all)');
  const rows = (label: string, g: Results['rtt'], b: Results['rtt']) => [
    [`${label} p50`, ms(g.p50), ms(b.p50), ratio(g.p50, b.p50)],
    [`${label} p99`, ms(g.p99), ms(b.p99), ratio(g.p99, b.p99)],
  ];
  out.push(table([
    ['', 'gateway', 'raw kafkajs hop', 'ratio'],
    ...rows(`1 session (n=${r.solo.n})`, r.solo, r.rawSolo),
    ...rows(`${SESSIONS} sessions (n=${r.rtt.n})`, r.rtt, r.rawRtt),
  ]));
  out.push(`under load: ${((r.rtt.n + SESSIONS) / r.loadSeconds).toFixed(1)} answered messages/s through the whole pipeline (warm-up included)`);
  if (r.rtt.n < SESSIONS * PER_SESSION) out.push(`note: the ${LOAD_SECONDS} s load budget ended the phase after ${r.rtt.n} of ${SESSIONS * PER_SESSION} messages`);
  if (r.failures.length) out.push(`!! ${r.failures.length} session(s) stopped early: ${[...new Set(r.failures)].join('; ')}`);
  out.push(`\nKafka produce throughput, acks=all, ${RECORDS} records of ~${Buffer.byteLength(JSON.stringify(sampleEvent(0).data))} B each`);
  out.push(table([
    ['', 'records/s', 'seconds', 'ratio'],
    [`EventPublisher, ${CALLERS} concurrent callers`, perSec(r.gateway.perSec), r.gateway.seconds.toFixed(2), ratio(r.gateway.perSec, r.raw.perSec)],
    ['raw producer.sendBatch, batches of 500', perSec(r.raw.perSec), r.raw.seconds.toFixed(2), '1.00×'],
  ]));
  out.push(`\nResident memory (VmRSS), bare node -e "setInterval(()=>{},1000)" = ${mib(r.bare)}`);
  out.push(table([
    ['app', 'idle', 'ratio', 'peak under load', 'ratio'],
    ...APPS.map((a) => [a, mib(r.idle[a]), ratio(r.idle[a], r.bare), mib(r.loaded[a]), ratio(r.loaded[a], r.bare)]),
  ]));
  process.stdout.write(`${out.join('\n')}\n`);
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) {
      // Second Ctrl-C: do not wait for the drain.
      for (const a of apps) a.proc.kill('SIGKILL');
      process.exit(130);
    }
    stopping = true;
    say(`${sig}: stopping (Ctrl-C again to kill the apps without waiting)`);
    // Do not wait for the running phase to unwind (a client may be retrying against a broker that
    // is already gone); main's checkpoints keep it from starting anything new meanwhile.
    void teardown().finally(() => process.exit(130));
  });
}
// Last resort: never leave an app behind when this process ends.
process.on('exit', () => {
  for (const a of apps) if (a.proc.exitCode === null) a.proc.kill('SIGKILL');
});

main()
  .catch((err: unknown) => {
    process.exitCode = stopping ? 130 : 1;
    if (stopping) return;
    say(`failed: ${err instanceof Error ? err.message : String(err)}`);
    for (const a of apps) if (a.proc.exitCode !== null) say(`--- ${a.name} logs ---\n${a.logs.join('').slice(-2000)}`);
  })
  .finally(async () => {
    say('tearing down');
    await teardown().catch((err: unknown) => say(`teardown: ${String(err)}`));
    process.exit();
  });
