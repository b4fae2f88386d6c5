/**
 * `npm run drill` (ADR 0300, issue 13): the failover drill on two local regions.
 *
 * Starts `npm run up -- --regions 2` (local-a on the ★ ports, local-b on +100, MirrorMaker 2 between)
 * with WhatsApp's Graph API played by the local contract server, then runs customers of the demo
 * tenant (homed in local-a, standby local-b): each writes its messages one after the other, waiting
 * for the bot's answer (the router's conversation state machine on every turn), its webhooks going to
 * local-a and local-b in turn (a delivery that fails is retried at the other region, as a provider
 * retries). Mid-load local-a is killed (SIGKILL of its Kafka, FerretDB, PostgreSQL and apps; its
 * supervisor restarts the apps, which wait for their infrastructure); local-b takes the tenant over
 * automatically after REGION_FAILOVER_AFTER_MS; later local-a's infrastructure returns and the
 * operator fails the tenant back (POST /v1/tenants/default/failover {"to":"local-a"} on local-b).
 *
 * Prints one line: `drill: N sent, N answered, L lost, D duplicated, RPO x s, RTO y s`, and exits
 * non-zero when L or D is not 0 (or an answer came out of order); the load and the verdict are
 * scripts/drill-run.ts's (shared with the regions drill e2e). Progress goes to stderr.
 * The contract server follows every accepted send with Meta's status webhooks (sent, delivered), to local-a or, when
 * it does not answer, local-b: a reply whose provider request the kill cut is reconciled against them (ADR 0423).
 * Env: DRILL_CUSTOMERS (12), DRILL_MESSAGES (6 per customer), REGION_FAILOVER_AFTER_MS (5000), SEND_RECONCILE_SECONDS
 * (the apps' demo-profile default, 3).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createConnection as tcp } from 'node:net';
import { resolve } from 'node:path';
import { startGraphApiServer } from '../test/contract-servers/graph-api';
import { runDrill, runScript, sleep, startAtHome, until } from './drill-run';
import { mirrorMakerEnv, regionInfraEnv, regionSpec } from './regions.mjs';

const ROOT = resolve(__dirname, '..');
const NODE = resolve(ROOT, 'node_modules/.bin/node');
const CUSTOMERS = Number(process.env.DRILL_CUSTOMERS ?? 12);
const MESSAGES = Number(process.env.DRILL_MESSAGES ?? 6);
const FAILOVER_AFTER_MS = Number(process.env.REGION_FAILOVER_AFTER_MS ?? 5_000);
const OPERATOR = 'omni-demo-admin-key';
// The demo profile's WhatsApp account of the bootstrap tenant (apps' OMNI_PROFILE=demo defaults).
const PHONE_ID = '100000000000001';
const APP_SECRET = 'demo-app-secret';
const REGIONS = [
  { name: 'local-a', whatsapp: 'http://127.0.0.1:3001', router: 'http://127.0.0.1:3010', store: 'mongodb://127.0.0.1:27017/omni', data: resolve(ROOT, '.local', 'dev') },
  { name: 'local-b', whatsapp: 'http://127.0.0.1:3101', router: 'http://127.0.0.1:3110', store: 'mongodb://127.0.0.1:27117/omni', data: resolve(ROOT, '.local', 'dev-b') },
] as const;
const A = REGIONS[0];

const note = (msg: string) => process.stderr.write(`[drill ${new Date().toISOString().slice(11, 23)}] ${msg}\n`);

function portOpen(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = tcp({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); res(true); });
    s.once('error', () => res(false));
  });
}

async function main(): Promise<number> {
  for (const port of [3001, 3010, 3101, 3110, 9092, 9192, 27017, 27117]) {
    if (await portOpen(port)) throw new Error(`drill: port ${port} is in use — stop \`npm run up\` (npm run down) first; the drill starts its own two regions`);
  }
  // As Meta: each accepted send is followed by its signed status webhooks (sent, delivered) echoing our key, posted to
  // whichever region answers (local-a first): what a send cut by the kill is reconciled against (issue 13).
  const graph = await startGraphApiServer({
    statusWebhooks: { targets: () => REGIONS.map((r) => `${r.whatsapp}/webhooks/whatsapp`), appSecret: APP_SECRET, retryForMs: 600_000 },
  });
  note(`Graph API contract server at ${graph.url}; starting two regions (npm run up -- --regions 2)…`);
  const up: ChildProcess = spawn(NODE, ['scripts/up.mjs', '--regions', '2'], {
    cwd: ROOT,
    env: {
      ...process.env, WHATSAPP_API_BASE_URL: graph.url, REGION_FAILOVER_AFTER_MS: String(FAILOVER_AFTER_MS), REGION_PEER_POLL_MS: '1000',
      REGION_PEER_TIMEOUT_MS: '1000', REGION_TAKEOVER_SETTLE_MS: '3000',
      // Only what the drill drives, in both regions (a 2-core machine).
      OMNI_REGION_APPS: 'channel-whatsapp,router,ai-worker,demo-connector',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let upOut = '';
  up.stdout?.on('data', (b: Buffer) => { upOut += b.toString(); });
  up.stderr?.on('data', (b: Buffer) => { upOut += b.toString(); });
  const upExited = new Promise<void>((r) => up.once('exit', () => r()));
  const stopUp = async () => {
    if (up.exitCode === null) up.kill('SIGTERM');
    await Promise.race([upExited, sleep(120_000)]);
  };
  try {
    await until('both regions ready', async () => {
      if (up.exitCode !== null) throw new Error('drill: npm run up -- --regions 2 stopped');
      return /Logs: /.test(upOut);
    }, 900_000, 1_000).catch((err: Error) => {
      throw new Error(`${err.message}; up said:\n${upOut.slice(-3000)}`);
    });
    // A drill starts from the pair at home (the regions keep their stores between runs).
    await startAtHome({ regions: REGIONS, operatorKey: OPERATOR, tenantId: 'default', note });
    note('both regions up; the demo tenant is active in local-a');
    const result = await runDrill({
      regions: REGIONS, tenantId: 'default', operatorKey: OPERATOR, phoneId: PHONE_ID, appSecret: APP_SECRET, customers: CUSTOMERS, messages: MESSAGES,
      requests: graph.requests, kill: killRegionA, restart: restartRegionA, note,
    });
    process.stdout.write(`${result.line}\n`);
    return result.lost === 0 && result.duplicated === 0 && result.outOfOrder === 0 ? 0 : 1;
  } finally {
    await stopUp();
    await graph.close();
  }
}

/** local-a's infrastructure and its MirrorMaker 2 back (its apps are restarted by their supervisor in `npm run up`). */
async function restartRegionA(): Promise<void> {
  await runScript(ROOT, ['deploy/local/infra.sh', 'up'], regionInfraEnv(regionSpec(0)), "local-a's infrastructure restart");
  // Its MirrorMaker 2 (the flows into local-a) returns with it, as in a region of the chart.
  await runScript(ROOT, ['deploy/local/mirror-maker.sh', 'start'], { ...process.env, ...mirrorMakerEnv(0) }, "local-a's MirrorMaker 2 restart");
}

/** SIGKILL of local-a's apps (by the pids `npm run up` keeps per region), of its infrastructure and of its MirrorMaker 2. */
function killRegionA(): void {
  const byRegion = JSON.parse(readFileSync(resolve(A.data, 'regions.json'), 'utf8')) as Record<string, number[]>;
  const pids = [...(byRegion[A.name] ?? [])];
  for (const f of ['kafka/kafka.pid', 'ferretdb/ferretdb.pid', 'postgres/data/postmaster.pid', 'mirror-maker/mirror-maker.pid']) {
    const p = resolve(A.data, f);
    if (existsSync(p)) pids.push(Number(readFileSync(p, 'utf8').split('\n')[0]));
  }
  for (const pid of pids.filter((p) => Number.isInteger(p) && p > 0)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone already */ }
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
