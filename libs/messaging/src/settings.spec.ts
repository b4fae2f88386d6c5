import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaConfigError, kafkaEnvIssues, kafkaSettingsFromEnv } from './settings';

// createKafka's TLS and SASL are exercised on a real broker: kafka-security.int-spec.ts.

const PASSWORD = 'not-logged-pw-7f3a';

function settingsError(env: NodeJS.ProcessEnv): KafkaConfigError {
  try {
    kafkaSettingsFromEnv('unit', env);
  } catch (err) {
    if (err instanceof KafkaConfigError) return err;
    throw err;
  }
  throw new Error('expected a KafkaConfigError');
}

describe('kafkaSettingsFromEnv', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kafka-settings-'));
    for (const f of ['ca.pem', 'client.pem', 'client.key']) writeFileSync(join(dir, f), `-----BEGIN ${f}-----\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to a local plaintext broker with one replica and min.insync.replicas 1', () => {
    expect(kafkaSettingsFromEnv('unit', {})).toEqual({
      brokers: ['localhost:9092'], clientId: 'unit', topicPrefix: '', partitions: 3, replicationFactor: 1, minInsyncReplicas: 1,
      sessionTimeoutMs: 30_000, ssl: undefined, sasl: undefined,
    });
  });

  it('reads TLS (CA, client certificate and key from files) and SCRAM credentials', () => {
    const s = kafkaSettingsFromEnv('unit', {
      KAFKA_BROKERS: 'b-1:9096, b-2:9096', KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: join(dir, 'ca.pem'),
      KAFKA_SSL_CERT_FILE: join(dir, 'client.pem'), KAFKA_SSL_KEY_FILE: join(dir, 'client.key'),
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: 'omni', KAFKA_SASL_PASSWORD: PASSWORD,
      KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '2',
    });
    expect(s.brokers).toEqual(['b-1:9096', 'b-2:9096']);
    expect(s.ssl).toEqual({ ca: ['-----BEGIN ca.pem-----\n'], cert: '-----BEGIN client.pem-----\n', key: '-----BEGIN client.key-----\n' });
    expect(s.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'omni', password: PASSWORD });
    expect([s.replicationFactor, s.minInsyncReplicas]).toEqual([3, 2]);
  });

  it('uses the system CAs when KAFKA_SSL is true without a CA file', () => {
    expect(kafkaSettingsFromEnv('unit', { KAFKA_SSL: 'true' }).ssl).toBe(true);
    expect(kafkaSettingsFromEnv('unit', { KAFKA_SSL: 'false' }).ssl).toBeUndefined();
  });

  it.each([
    [{ KAFKA_SASL_MECHANISM: 'scram-sha-256' }, ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD']],
    [{ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'omni' }, ['KAFKA_SASL_PASSWORD']],
    [{ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_PASSWORD: PASSWORD }, ['KAFKA_SASL_USERNAME']],
    [{ KAFKA_SASL_USERNAME: 'omni', KAFKA_SASL_PASSWORD: PASSWORD }, ['KAFKA_SASL_MECHANISM']],
    [{ KAFKA_SASL_MECHANISM: 'gssapi' }, ['KAFKA_SASL_MECHANISM']],
    [{ KAFKA_SSL: 'yes' }, ['KAFKA_SSL']],
    [{ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem' }, ['KAFKA_SSL_CA_FILE']],
    [{ KAFKA_SSL_CA_FILE: '__CA__' }, ['KAFKA_SSL_CA_FILE']],
    [{ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: '__CERT__' }, ['KAFKA_SSL_KEY_FILE']],
    [{ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'omni', KAFKA_SASL_PASSWORD: PASSWORD }, ['KAFKA_SASL_MECHANISM']],
    [{ KAFKA_REPLICATION_FACTOR: '1', KAFKA_MIN_INSYNC_REPLICAS: '2' }, ['KAFKA_MIN_INSYNC_REPLICAS']],
    [{ KAFKA_REPLICATION_FACTOR: '0' }, ['KAFKA_REPLICATION_FACTOR']],
  ])('refuses %j naming %j, never the password', (raw, names) => {
    const env = Object.fromEntries(
      Object.entries(raw).map(([k, v]) => [k, v.replace('__CA__', join(dir, 'ca.pem')).replace('__CERT__', join(dir, 'client.pem'))]),
    );
    const err = settingsError(env);
    expect(err.message).toMatch(/^unit: invalid Kafka configuration:/);
    for (const name of names) expect(err.message).toContain(`  - ${name}: `);
    expect(err.message).not.toContain(PASSWORD);
    expect(kafkaEnvIssues(env).map((i) => i.path).sort()).toEqual([...names].sort());
  });

  it('treats blank values (an empty Helm entry) as unset', () => {
    const s = kafkaSettingsFromEnv('unit', { KAFKA_SSL: '', KAFKA_SASL_MECHANISM: '', KAFKA_SASL_USERNAME: '', KAFKA_REPLICATION_FACTOR: '' });
    expect([s.ssl, s.sasl, s.replicationFactor]).toEqual([undefined, undefined, 1]);
  });
});
