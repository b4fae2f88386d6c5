import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { freePort } from '../../../test/support/apps';
import { KafkaSettings, createKafka, kafkaSettingsFromEnv } from './settings';
import { ensureTopics, resolveTopic } from './topics';

/**
 * Kafka security on a real broker: a private single-node KRaft Kafka (the jars deploy/local/kafka.sh
 * resolves) with only a SASL_SSL listener (SCRAM-SHA-512) and a certificate signed by a CA this
 * test generates. Clients come from our settings code (env → kafkaSettingsFromEnv → createKafka).
 */
const ROOT = resolve(__dirname, '../../..');
const USER = 'omni-app';
const PASSWORD = randomBytes(12).toString('hex');
const BROKER_PASSWORD = randomBytes(12).toString('hex');
/** Ports other engineers' brokers and stores use on this machine. */
const TAKEN = new Set([9092, 9093, 19092, 29092, 39092, 49092, 27017, 37017]);

async function port(): Promise<number> {
  for (;;) {
    const p = await freePort();
    if (!TAKEN.has(p)) return p;
  }
}

function kafkaClasspath(): string {
  const version = /<kafka.version>(.+)<\/kafka.version>/.exec(readFileSync(join(ROOT, 'deploy/local/kafka/pom.xml'), 'utf8'))![1];
  const cache = process.env.OMNI_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(process.env.HOME ?? tmpdir(), '.cache'), 'omni-gateway');
  const file = join(cache, `kafka-${version}.classpath`);
  // Resolves the jars from Maven Central the first time (cached afterwards), like `npm run up`.
  if (!existsSync(file)) execFileSync('bash', [join(ROOT, 'deploy/local/kafka.sh'), 'install'], { stdio: 'inherit' });
  return readFileSync(file, 'utf8').trim();
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA and a broker certificate for 127.0.0.1/localhost signed by it; the broker's PEM keystore is PKCS#8 key + certificate. */
function generateCertificates(dir: string): void {
  openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=omni-test-ca');
  openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'broker.key', '-out', 'broker.csr', '-subj', '/CN=localhost');
  writeFileSync(join(dir, 'san.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl(dir, 'x509', '-req', '-in', 'broker.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'broker.crt', '-days', '1', '-extfile', 'san.cnf');
  openssl(dir, 'pkcs8', '-topk8', '-nocrypt', '-in', 'broker.key', '-out', 'broker.p8');
  writeFileSync(join(dir, 'broker.pem'), readFileSync(join(dir, 'broker.p8'), 'utf8') + readFileSync(join(dir, 'broker.crt'), 'utf8'));
}

describe('Kafka security on a real TLS + SCRAM-SHA-512 broker', () => {
  let dir: string;
  let broker: ChildProcess | undefined;
  let brokers: string;
  const prefix = `sec-${Date.now().toString(36)}.`;

  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix, KAFKA_PARTITIONS: '1', KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: join(dir, 'ca.pem'),
    KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: USER, KAFKA_SASL_PASSWORD: PASSWORD, ...extra,
  });
  /** A client from our settings code; failing cases fail fast (no retries). */
  const client = (settings: KafkaSettings, fast = false): Kafka =>
    createKafka(settings, fast ? { retry: { retries: 0 }, connectionTimeout: 2_000, requestTimeout: 5_000, logLevel: logLevel.NOTHING } : {});

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kafka-sec-'));
    generateCertificates(dir);
    const [listener, controller] = [await port(), await port()];
    brokers = `127.0.0.1:${listener}`;
    writeFileSync(join(dir, 'server.properties'), [
      'process.roles=broker,controller', 'node.id=1', `controller.quorum.voters=1@127.0.0.1:${controller}`,
      // The only client listener is SASL_SSL; the broker talks to itself over it too (SCRAM as its own user).
      `listeners=SASL_SSL://127.0.0.1:${listener},CONTROLLER://127.0.0.1:${controller}`,
      `advertised.listeners=SASL_SSL://127.0.0.1:${listener}`,
      'controller.listener.names=CONTROLLER', 'inter.broker.listener.name=SASL_SSL',
      'listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT',
      'sasl.enabled.mechanisms=SCRAM-SHA-512', 'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
      `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="${BROKER_PASSWORD}";`,
      'ssl.keystore.type=PEM', `ssl.keystore.location=${join(dir, 'broker.pem')}`,
      'ssl.truststore.type=PEM', `ssl.truststore.location=${join(dir, 'ca.pem')}`,
      `log.dirs=${join(dir, 'data')}`, 'auto.create.topics.enable=false',
      'offsets.topic.replication.factor=1', 'offsets.topic.num.partitions=1', 'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1', 'group.initial.rebalance.delay.ms=0',
    ].join('\n'));
    writeFileSync(join(dir, 'log4j.properties'), [
      'log4j.rootLogger=WARN, out', 'log4j.appender.out=org.apache.log4j.ConsoleAppender',
      'log4j.appender.out.layout=org.apache.log4j.PatternLayout', 'log4j.appender.out.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.kafka.server.KafkaRaftServer=INFO',
    ].join('\n'));
    const cp = kafkaClasspath();
    const java = ['-Xms64m', '-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true', `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`, '-cp', cp];
    // SCRAM credentials go into the metadata log at format time (KRaft has no ZooKeeper to hold them).
    // `--cluster-id=<id>` in one argument: a base64url id may start with '-' (1 in 32), which the tool's
    // parser takes for an option when the id is a separate argument (it failed a full run so).
    const clusterId = randomBytes(16).toString('base64url');
    execFileSync('java', [...java, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', join(dir, 'server.properties'),
      '--add-scram', `SCRAM-SHA-512=[name=broker,password=${BROKER_PASSWORD}]`,
      '--add-scram', `SCRAM-SHA-512=[name=${USER},password=${PASSWORD}]`], { stdio: ['ignore', 'ignore', 'pipe'] });
    // Its own process group, so afterAll reaches the JVM whatever happens.
    const proc = spawn('java', [...java, 'kafka.Kafka', join(dir, 'server.properties')], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    broker = proc;
    let out = '';
    proc.stdout.on('data', (b: Buffer) => (out += b.toString()));
    proc.stderr.on('data', (b: Buffer) => (out += b.toString()));
    await new Promise<void>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`broker not started in 45 s:\n${out.slice(-3000)}`)), 45_000);
      const check = () => {
        if (out.includes('Kafka Server started')) {
          clearTimeout(timer);
          res();
        }
      };
      proc.stdout.on('data', check);
      proc.once('exit', (code) => {
        clearTimeout(timer);
        rej(new Error(`broker exited (${code}):\n${out.slice(-3000)}`));
      });
    });
  }, 60_000);

  afterAll(async () => {
    if (broker?.pid && broker.exitCode === null) {
      const exited = new Promise((r) => broker!.once('exit', r));
      process.kill(-broker.pid, 'SIGKILL');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('produces and consumes over TLS + SCRAM-SHA-512 with a client built from env, on a topic created with min.insync.replicas', async () => {
    const settings = kafkaSettingsFromEnv('sec-int', env({ KAFKA_REPLICATION_FACTOR: '1', KAFKA_MIN_INSYNC_REPLICAS: '1' }));
    expect(settings.ssl).toEqual({ ca: [readFileSync(join(dir, 'ca.pem'), 'utf8')] });
    const kafka = client(settings);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, settings, ['omni.secure.v1']);
      const topic = resolveTopic(settings, 'omni.secure.v1');
      // 2 = RESOURCE_TYPE TOPIC; configSource 1 = set on the topic itself (the broker default is also 1).
      const { resources } = await admin.describeConfigs({ resources: [{ type: 2, name: topic, configNames: ['min.insync.replicas'] }], includeSynonyms: false });
      expect(resources[0].configEntries).toEqual([expect.objectContaining({ configName: 'min.insync.replicas', configValue: '1', configSource: 1, isDefault: false })]);
    } finally {
      await admin.disconnect();
    }

    const topic = resolveTopic(settings, 'omni.secure.v1');
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    const value = `secret-hello-${randomBytes(4).toString('hex')}`;
    await producer.send({ topic, acks: -1, messages: [{ key: 'k1', value }] });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: `${prefix}reader`, maxWaitTimeInMs: 200 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const got = await new Promise<string>((res, rej) => {
        const timer = setTimeout(() => rej(new Error('no record consumed in 20 s')), 20_000);
        void consumer.run({
          eachMessage: async ({ message }) => {
            clearTimeout(timer);
            res(message.value!.toString());
          },
        });
      });
      expect(got).toBe(value);
    } finally {
      await consumer.disconnect();
    }
  });

  it('refuses a wrong password with an authentication error', async () => {
    const admin = client(kafkaSettingsFromEnv('sec-int-wrong', env({ KAFKA_SASL_PASSWORD: `${PASSWORD}x` })), true).admin();
    await expect(admin.connect()).rejects.toMatchObject({
      name: 'KafkaJSSASLAuthenticationError',
      message: expect.stringMatching(/SCRAM SHA512 authentication failed.*invalid credentials/),
    });
  });

  it('refuses an unknown user with an authentication error', async () => {
    const admin = client(kafkaSettingsFromEnv('sec-int-user', env({ KAFKA_SASL_USERNAME: 'intruder' })), true).admin();
    await expect(admin.connect()).rejects.toMatchObject({ name: 'KafkaJSSASLAuthenticationError' });
  });

  it('cannot connect in plaintext, or over TLS without SASL', async () => {
    const plain = env({ KAFKA_SSL: 'false', KAFKA_SSL_CA_FILE: '', KAFKA_SASL_MECHANISM: '', KAFKA_SASL_USERNAME: '', KAFKA_SASL_PASSWORD: '' });
    const plainAdmin = client(kafkaSettingsFromEnv('sec-int-plain', plain), true).admin();
    await expect(plainAdmin.connect()).rejects.toThrow();
    await expect(plainAdmin.listTopics()).rejects.toThrow();
    await plainAdmin.disconnect();

    const tlsOnly = env({ KAFKA_SASL_MECHANISM: '', KAFKA_SASL_USERNAME: '', KAFKA_SASL_PASSWORD: '' });
    const tlsAdmin = client(kafkaSettingsFromEnv('sec-int-tls-only', tlsOnly), true).admin();
    // The TLS handshake and ApiVersions (allowed before SASL) succeed; any real request is refused.
    await tlsAdmin.connect().catch(() => undefined);
    await expect(tlsAdmin.listTopics()).rejects.toThrow();
    await tlsAdmin.disconnect();
  });

  it('verifies the broker certificate: without the test CA (system CAs only) the TLS handshake fails', async () => {
    const admin = client(kafkaSettingsFromEnv('sec-int-no-ca', env({ KAFKA_SSL_CA_FILE: '' })), true).admin();
    await expect(admin.connect()).rejects.toThrow(/self[- ]signed|unable to (get|verify)|certificate/i);
  });
});
