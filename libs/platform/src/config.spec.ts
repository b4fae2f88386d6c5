import { z } from 'zod';
import { rootLogger } from '@omni/telemetry';
import { ConfigError, InfraEnvSchema, loadConfig, portFor } from './config';

const Schema = InfraEnvSchema.extend({
  API_KEY: z.string().min(16, 'must be at least 16 characters'),
  WHATSAPP_APP_SECRET: z.string().min(1),
  AI_TIMEOUT_MS: z.coerce.number().int().positive(),
});

const DEMO = { API_KEY: 'demo-key-0123456789', WHATSAPP_APP_SECRET: 'demo-secret-value', AI_TIMEOUT_MS: '5000' };
const VALID = { API_KEY: 'prod-key-abcdefghijkl', WHATSAPP_APP_SECRET: 's3cr3t', AI_TIMEOUT_MS: '2000' };

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  afterEach(() => jest.restoreAllMocks());

  it('parses a valid environment, with infrastructure defaults, in production', () => {
    const cfg = loadConfig('router', Schema, DEMO, { ...VALID, MONGODB_URI: 'mongodb+srv://db.example.com/omni' });
    expect(cfg).toEqual({
      ...VALID, AI_TIMEOUT_MS: 2000, MONGODB_URI: 'mongodb+srv://db.example.com/omni', KAFKA_BROKERS: 'localhost:9092', REGION: 'local', TENANT_ID: 'default',
      KAFKA_TOPIC_PREFIX: '', KAFKA_PARTITIONS: 3, KAFKA_REPLICATION_FACTOR: 1, KAFKA_MIN_INSYNC_REPLICAS: 1, KAFKA_SESSION_TIMEOUT_MS: 30_000, KAFKA_SSL: 'false',
    });
  });

  it('refuses a SASL mechanism without credentials at boot, naming the variables, along with the other problems', () => {
    const err = configError(() => loadConfig('router', Schema, DEMO, { API_KEY: 'short', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'omni' }));
    expect(err.message).toContain('  - API_KEY: ');
    expect(err.message).toContain('  - KAFKA_SASL_PASSWORD: required when KAFKA_SASL_MECHANISM is set');
    expect(err.message).not.toContain('KAFKA_SASL_USERNAME: ');
  });

  it('refuses Kafka TLS files without KAFKA_SSL and min.insync.replicas above the replication factor, never printing the password', () => {
    const env = { ...VALID, KAFKA_SSL_CA_FILE: __filename, KAFKA_REPLICATION_FACTOR: '1', KAFKA_MIN_INSYNC_REPLICAS: '2', KAFKA_SASL_PASSWORD: 'kafka-pw-not-printed' };
    const err = configError(() => loadConfig('router', Schema, DEMO, env));
    for (const name of ['KAFKA_SSL_CA_FILE', 'KAFKA_MIN_INSYNC_REPLICAS', 'KAFKA_SASL_MECHANISM']) expect(err.message).toContain(`  - ${name}: `);
    expect(err.message).not.toContain('kafka-pw-not-printed');
  });

  it('checks the Kafka variables for a schema that picks only KAFKA_BROKERS (the AI worker)', () => {
    const picked = InfraEnvSchema.pick({ KAFKA_BROKERS: true, MONGODB_URI: true });
    const err = configError(() => loadConfig('ai-worker', picked, {}, { KAFKA_SASL_USERNAME: 'omni', KAFKA_SSL: 'yes' }));
    expect(err.message).toContain('  - KAFKA_SSL: must be true or false');
    expect(loadConfig('ai-worker', picked, {}, {})).toEqual({ KAFKA_BROKERS: 'localhost:9092', MONGODB_URI: 'mongodb://127.0.0.1:27017/omni' });
  });

  it('accepts production Kafka security: TLS with SCRAM, three replicas, two in sync', () => {
    const cfg = loadConfig('router', Schema, DEMO, {
      ...VALID, KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'omni', KAFKA_SASL_PASSWORD: 'pw',
      KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '2',
    });
    expect(cfg).toMatchObject({ KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_REPLICATION_FACTOR: 3, KAFKA_MIN_INSYNC_REPLICAS: 2 });
  });

  it('fails fast listing every invalid variable at once', () => {
    const err = configError(() => loadConfig('router', Schema, DEMO, { API_KEY: 'short', MONGODB_URI: 'postgres://x', AI_TIMEOUT_MS: 'soon' }));
    expect(err.message).toMatch(/^router: invalid configuration \(profile production\):/);
    for (const name of ['API_KEY', 'MONGODB_URI', 'WHATSAPP_APP_SECRET', 'AI_TIMEOUT_MS']) expect(err.message).toContain(`  - ${name}: `);
    expect(err.message).toContain('must be a mongodb:// or mongodb+srv:// URI');
    expect(err.message).toContain('must be at least 16 characters');
    expect(err.message).not.toContain('short');
  });

  it.each(['production', 'staging', 'prod'])('never fills demo defaults under profile %s', (profile) => {
    const err = configError(() => loadConfig('router', Schema, DEMO, { OMNI_PROFILE: profile }));
    expect(err.message).toContain(`(profile ${profile})`);
    expect(err.message).toContain('API_KEY');
  });

  it.each(['demo', 'test'])('fills missing or empty variables from demo defaults under profile %s', (profile) => {
    const cfg = loadConfig('router', Schema, DEMO, { OMNI_PROFILE: profile, WHATSAPP_APP_SECRET: '' });
    expect(cfg).toMatchObject({ API_KEY: DEMO.API_KEY, WHATSAPP_APP_SECRET: DEMO.WHATSAPP_APP_SECRET, AI_TIMEOUT_MS: 5000 });
  });

  it('lets an env value win over the demo default', () => {
    const cfg = loadConfig('router', Schema, DEMO, { OMNI_PROFILE: 'demo', API_KEY: 'my-own-key-987654321', AI_TIMEOUT_MS: '750' });
    expect(cfg.API_KEY).toBe('my-own-key-987654321');
    expect(cfg.AI_TIMEOUT_MS).toBe(750);
    expect(cfg.WHATSAPP_APP_SECRET).toBe(DEMO.WHATSAPP_APP_SECRET);
  });

  it('still validates an env value under the demo profile', () => {
    const err = configError(() => loadConfig('router', Schema, DEMO, { OMNI_PROFILE: 'demo', API_KEY: 'short' }));
    expect(err.message).toContain('(profile demo)');
    expect(err.message).toContain('API_KEY');
    expect(err.message).not.toContain('WHATSAPP_APP_SECRET');
  });

  it('prints the names it filled but never their values, and leaves the env untouched', () => {
    const warn = jest.spyOn(rootLogger(), 'warn').mockImplementation(() => undefined);
    const env = { OMNI_PROFILE: 'demo', API_KEY: 'my-own-key-987654321' };
    loadConfig('router', Schema, DEMO, env);
    expect(warn).toHaveBeenCalledTimes(1);
    const logged = JSON.stringify(warn.mock.calls[0]);
    expect(logged).toContain('WHATSAPP_APP_SECRET');
    expect(logged).toContain('AI_TIMEOUT_MS');
    expect(logged).not.toContain('"API_KEY"');
    expect(logged).not.toContain(DEMO.WHATSAPP_APP_SECRET);
    expect(env).toEqual({ OMNI_PROFILE: 'demo', API_KEY: 'my-own-key-987654321' });
  });

  it('prints nothing when no default was needed', () => {
    const warn = jest.spyOn(rootLogger(), 'warn').mockImplementation(() => undefined);
    loadConfig('router', Schema, DEMO, { OMNI_PROFILE: 'demo', ...VALID });
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('portFor', () => {
  it('prefers <APP>_PORT, then PORT, then the documented default', () => {
    expect(portFor('channel-web', 3000, { CHANNEL_WEB_PORT: '4100', PORT: '5000' })).toBe(4100);
    expect(portFor('channel-web', 3000, { PORT: '5000' })).toBe(5000);
    expect(portFor('channel-web', 3000, {})).toBe(3000);
    expect(portFor('router', 3010, { CHANNEL_WEB_PORT: '4100' })).toBe(3010);
  });

  it('treats an empty value as unset instead of port 0 (a random port)', () => {
    expect(portFor('ai-worker', 3020, { AI_WORKER_PORT: '', PORT: '8080' })).toBe(8080);
    expect(portFor('ai-worker', 3020, { AI_WORKER_PORT: ' ', PORT: '' })).toBe(3020);
  });

  it.each(['abc', '70000', '-1', '80.5', '0x'])('refuses %p as a port', (raw) => {
    expect(() => portFor('ai-worker', 3020, { AI_WORKER_PORT: raw })).toThrow(ConfigError);
    expect(() => portFor('ai-worker', 3020, { AI_WORKER_PORT: raw })).toThrow(/AI_WORKER_PORT\/PORT must be a port number/);
  });
});
