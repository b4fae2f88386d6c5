// Local regions for `npm run up -- --regions 2` and `npm run drill` (ADR 0300): region `local-a` on the
// ★ default ports, `local-b` on the same ports + 100 (Kafka 9192, store 27117), MirrorMaker 2 between
// them; the demo tenant is homed in local-a with standby local-b. local-b runs a subset of the apps
// (channel-web, channel-whatsapp, router, ai-worker, demo-connector) to stay within a 2-core machine.
import { resolve } from 'node:path';
import { APPS, ROOT } from './lib.mjs';

export const REGION_NAMES = ['local-a', 'local-b'];
const B_APPS = new Set(['channel-web', 'channel-whatsapp', 'router', 'ai-worker', 'demo-connector']);
const envName = (app, suffix) => `${app.toUpperCase().replace(/-/g, '_')}_${suffix}`;

/** `--regions N` from argv (1 when absent); only 1 and 2 exist locally. */
export function parseRegions(argv) {
  const i = argv.indexOf('--regions');
  const eq = argv.find((a) => a.startsWith('--regions='));
  const raw = eq ? eq.slice('--regions='.length) : i >= 0 ? argv[i + 1] : '1';
  const n = Number(raw);
  if (n !== 1 && n !== 2) throw new Error(`--regions: 1 or 2 local regions, not ${raw}`);
  return n;
}

/**
 * What one local region is: where its data lives, its infra's ports, its apps and their env.
 * `offset` is 0 for local-a and 100 for local-b.
 */
export function regionSpec(index, env = process.env) {
  const name = REGION_NAMES[index];
  const offset = index * 100;
  const peerIndex = 1 - index;
  const peer = REGION_NAMES[peerIndex];
  const dataDir = resolve(ROOT, '.local', index === 0 ? 'dev' : 'dev-b');
  const kafkaPort = 9092 + offset;
  const storePort = 27017 + offset;
  // OMNI_REGION_APPS (comma list) narrows both regions further (npm run drill runs only what it drives).
  const only = env.OMNI_REGION_APPS ? new Set(env.OMNI_REGION_APPS.split(',')) : undefined;
  const apps = APPS.filter((a) => (index === 0 || B_APPS.has(a.name)) && (!only || only.has(a.name))).map((a) => ({ ...a, port: a.port + offset }));
  const appEnv = {
    REGION: name,
    REGIONS: REGION_NAMES.join(','),
    REGION_PEERS: `${peer}=http://127.0.0.1:${3010 + peerIndex * 100}`,
    TENANT_HOME_REGION: REGION_NAMES[0],
    TENANT_STANDBY_REGION: REGION_NAMES[1],
    REGION_FAILOVER_AFTER_MS: env.REGION_FAILOVER_AFTER_MS ?? '10000',
    KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`,
    MONGODB_URI: `mongodb://127.0.0.1:${storePort}/omni`,
    ROUTER_GRPC_PORT: String(50051 + offset),
    DEMO_CONNECTOR_PORT: String(3030 + offset),
    CHANNEL_WEB_PUBLIC_URL: `http://localhost:${3000 + offset}`,
    ...(index === 0 ? {} : { EMAIL_SMTP_PORT: String(2525 + offset) }),
    ...Object.fromEntries(apps.flatMap((a) => [[envName(a.name, 'PORT'), String(a.port)], [envName(a.name, 'ADMIN_PORT'), String(a.port + 6000)]])),
  };
  const infraEnv = {
    OMNI_DATA: dataDir,
    KAFKA_PORT: String(kafkaPort),
    KAFKA_CONTROLLER_PORT: String(9093 + offset),
    FERRETDB_PORT: String(storePort),
    POSTGRES_PORT: String(5432 + offset),
    // A region is killed on purpose (the drill): what its store acknowledged must survive (deploy/local/postgres.sh).
    POSTGRES_SYNCHRONOUS_COMMIT: 'on',
  };
  return { name, index, offset, dataDir, apps, appEnv, infraEnv };
}

/** Infra env for deploy/local/infra.sh: always the region's own local Kafka and store. */
export function regionInfraEnv(spec, env = process.env) {
  const { KAFKA_BROKERS: _k, MONGODB_URI: _m, ...rest } = env;
  return { ...rest, ...spec.infraEnv };
}

/**
 * The MirrorMaker 2 of one region: the flows *into* it (MM2_TARGETS), its data and its Connect state in
 * that region (`<region data>/mirror-maker`, Connect's internal topics on that region's Kafka), as the
 * chart runs it in each target region (ADR 0300). It dies and returns with its region: one MM2 for both
 * directions kept the Connect worker of the flow into a killed region waiting for its group coordinator
 * after that region's Kafka returned (the drill: nothing mirrored into local-a for 4 min after its return).
 */
export function mirrorMakerEnv(index, env = process.env) {
  return {
    ...env,
    OMNI_DATA: regionSpec(index, env).dataDir,
    MM2_CLUSTERS: REGION_NAMES.map((n, i) => `${n}=127.0.0.1:${9092 + i * 100}`).join(','),
    MM2_TARGETS: REGION_NAMES[index],
  };
}
