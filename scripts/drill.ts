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
 * non-zero when L or D is not 0 (or an answer came out of order). Progress goes to stderr.
 *   - answered: messages quoted by at least one accepted send; lost = sent − answered (after the wait);
 *   - duplicated: accepted sends beyond the first that quote the same message;
 *   - RPO: at the takeover, the age at the kill of the oldest message local-a had accepted that
 *     local-b's store did not have yet (0 when it had them all): what a standby that had to serve
 *     alone would have missed;
 *   - RTO: from the kill to the first answer to a message sent after the kill.
 * Env: DRILL_CUSTOMERS (12), DRILL_MESSAGES (6 per customer), REGION_FAILOVER_AFTER_MS (5000).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createConnection as tcp } from 'node:net';
import { resolve } from 'node:path';
import { createConnection } from 'mongoose';
import { hubSignature } from '@omni/channels';
import { channelEventId } from '@omni/contracts';
import { startGraphApiServer } from '../test/contract-servers/graph-api';
import { mirrorMakerEnv } from './regions.mjs';

const ROOT = resolve(__dirname, '..');
const NODE = resolve(ROOT, 'node_modules/.bin/node');
const CUSTOMERS = Number(process.env.DRILL_CUSTOMERS ?? 12);
const MESSAGES = Number(process.env.DRILL_MESSAGES ?? 6);
const FAILOVER_AFTER_MS = Number(process.env.REGION_FAILOVER_AFTER_MS ?? 5_000);
const OPERATOR = 'omni-demo-admin-key';
// The demo profile's WhatsApp account of the bootstrap tenant (apps' OMNI_PROFILE=demo defaults).
const PHONE_ID = '100000000000001';
const APP_SECRET = 'demo-app-secret';
const TEXTS = ['Hello!', 'Where is my order ORD-12345?', 'thanks'];
const REGIONS = [
  { name: 'local-a', whatsapp: 'http://127.0.0.1:3001', router: 'http://127.0.0.1:3010', store: 'mongodb://127.0.0.1:27017/omni', data: resolve(ROOT, '.local', 'dev') },
  { name: 'local-b', whatsapp: 'http://127.0.0.1:3101', router: 'http://127.0.0.1:3110', store: 'mongodb://127.0.0.1:27117/omni', data: resolve(ROOT, '.local', 'dev-b') },
] as const;
const A = REGIONS[0];
const B = REGIONS[1];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const note = (msg: string) => process.stderr.write(`[drill ${new Date().toISOString().slice(11, 23)}] ${msg}\n`);

interface Sent {
  customer: number;
  k: number;
  wamid: string;
  eventId: string;
  /** When a region acknowledged the webhook, and which. */
  ackAt?: number;
  region?: string;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = tcp({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); res(true); });
    s.once('error', () => res(false));
  });
}

async function ready(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 500): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`drill: ${what} not reached in ${Math.round(timeoutMs / 1000)} s`);
    await sleep(everyMs);
  }
}

async function directory(region: (typeof REGIONS)[number]): Promise<{ active: string; epoch: number } | undefined> {
  try {
    const res = await fetch(`${region.router}/v1/regions/directory`, { headers: { authorization: `Bearer ${OPERATOR}` }, signal: AbortSignal.timeout(2_000) });
    if (!res.ok) return undefined;
    const d = (await res.json()) as { assignments: { tenantId: string; active: string; epoch: number }[] };
    return d.assignments.find((a) => a.tenantId === 'default');
  } catch {
    return undefined;
  }
}

function webhook(from: string, wamid: string, text: string): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{
      id: '102290129340398',
      changes: [{
        field: 'messages',
        value: {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_ID },
          contacts: [{ profile: { name: `Drill ${from.slice(-3)}` }, wa_id: from }],
          messages: [{ from, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } }],
        },
      }],
    }],
  });
  return { body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': hubSignature(body, APP_SECRET) } };
}

/** Delivers like a provider: the chosen region first, then the other, until one acknowledges (200). */
async function deliver(s: Sent, text: string, first: number, stop: () => boolean): Promise<void> {
  const hook = webhook(customerNumber(s.customer), s.wamid, text);
  for (let attempt = 0; !stop(); attempt++) {
    const region = REGIONS[(first + attempt) % 2];
    try {
      const res = await fetch(`${region.whatsapp}/webhooks/whatsapp`, { method: 'POST', body: hook.body, headers: hook.headers, signal: AbortSignal.timeout(5_000) });
      if (res.ok) {
        s.ackAt = Date.now();
        s.region = region.name;
        return;
      }
    } catch {
      // refused or timed out: the other region next
    }
    await sleep(attempt % 2 === 1 ? 500 : 0);
  }
}

const customerNumber = (c: number) => `3519100${String(c).padStart(5, '0')}`;

async function main(): Promise<number> {
  for (const port of [3001, 3010, 3101, 3110, 9092, 9192, 27017, 27117]) {
    if (await portOpen(port)) throw new Error(`drill: port ${port} is in use — stop \`npm run up\` (npm run down) first; the drill starts its own two regions`);
  }
  const graph = await startGraphApiServer();
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
    // A drill starts from the pair at home. The regions keep their stores between runs (npm run up), so an
    // earlier drill stopped mid-way may have left the tenant active in local-b: the operator fails it back first.
    await until('both regions agree on the demo tenant', async () => {
      const [a, b] = [await directory(A), await directory(B)];
      return a !== undefined && b !== undefined && a.epoch === b.epoch;
    }, 60_000);
    if ((await directory(A))?.active !== A.name) {
      const back = await fetch(`${A.router}/v1/tenants/default/failover`, {
        method: 'POST', headers: { authorization: `Bearer ${OPERATOR}`, 'content-type': 'application/json' }, body: JSON.stringify({ to: A.name }),
      });
      note(`the demo tenant was left active in local-b by an earlier run: failed back first (${back.status})`);
    }
    await until('local-b knows the demo tenant is active in local-a', async () => (await directory(B))?.active === A.name && (await directory(A))?.active === A.name, 60_000);
    note('both regions up; the demo tenant is active in local-a');
    return await run(graph.requests, stopUp);
  } finally {
    await stopUp();
    await graph.close();
  }
}

async function run(requests: { path: string; body: unknown; at: number; status?: number }[], stopUp: () => Promise<void>): Promise<number> {
  const sent: Sent[] = [];
  const total = CUSTOMERS * MESSAGES;
  let stopping = false;
  // Read by the customers while they run: set once, at the kill.
  const kill: { at?: number } = {};
  let rtoMs: number | undefined;

  /**
   * Accepted sends quoting each message (wamid), with their times: rebuilt four times a second, not per
   * customer poll (the contract server answers from this process; a busy loop here would slow its
   * answers into the sender's timeouts and retries).
   */
  let index = new Map<string, number[]>();
  const reindex = () => {
    const by = new Map<string, number[]>();
    for (const r of requests) {
      if (!r.status || r.status >= 300) continue;
      const quoted = (r.body as { context?: { message_id?: string } } | undefined)?.context?.message_id;
      if (!quoted) continue;
      by.set(quoted, [...(by.get(quoted) ?? []), r.at]);
    }
    index = by;
  };
  const indexer = setInterval(reindex, 250);
  const answers = () => index;
  const answeredAt = (s: Sent) => index.get(s.wamid)?.[0] ?? index.get(s.eventId)?.[0];

  const customer = async (c: number) => {
    for (let k = 0; k < MESSAGES && !stopping; k++) {
      const wamid = `wamid.drill.${c}.${k}.${Date.now().toString(36)}`;
      const s: Sent = { customer: c, k, wamid, eventId: channelEventId('whatsapp', PHONE_ID, wamid) };
      sent.push(s);
      await deliver(s, TEXTS[k % TEXTS.length], (c + k) % 2, () => stopping);
      // The customer waits for the answer (up to 3 min: a message may wait for its region to return).
      const deadline = Date.now() + 180_000;
      while (!stopping && answeredAt(s) === undefined && Date.now() < deadline) await sleep(250);
      if (kill.at !== undefined && rtoMs === undefined && s.ackAt !== undefined && s.ackAt > kill.at) {
        const at = answeredAt(s);
        if (at !== undefined) rtoMs = at - kill.at;
      }
    }
  };

  const load = Promise.all(Array.from({ length: CUSTOMERS }, (_, c) => customer(c)));

  // Mid-load: kill local-a.
  await until('a third of the messages answered', async () => sent.filter((s) => answeredAt(s) !== undefined).length >= Math.floor(total / 3), 600_000);
  const killAt = Date.now();
  kill.at = killAt;
  note(`killing local-a (SIGKILL of its apps, Kafka, FerretDB, PostgreSQL) after ${sent.length} sent`);
  killRegionA();

  // local-b takes over by itself.
  await until('local-b active for the demo tenant', async () => (await directory(B))?.active === B.name, 120_000);
  const takeoverAt = Date.now();
  note(`local-b took over ${((takeoverAt - killAt) / 1000).toFixed(1)} s after the kill`);
  const rpoMs = await rpo(sent.filter((s) => s.region === A.name && s.ackAt !== undefined && s.ackAt <= killAt), killAt);

  // Some load on local-b alone, then local-a returns and the tenant fails back.
  await until('answers on local-b', async () => rtoMs !== undefined || sent.length >= total, 300_000);
  await sleep(10_000);
  note('local-a returns (its infrastructure restarted; its apps are restarted by their supervisor)');
  // Not spawnSync: the Graph API contract server answers from this process's event loop.
  const restart = spawn('bash', ['deploy/local/infra.sh', 'up'], {
    cwd: ROOT, env: { ...process.env, OMNI_DATA: A.data, KAFKA_PORT: '9092', KAFKA_CONTROLLER_PORT: '9093', FERRETDB_PORT: '27017', POSTGRES_PORT: '5432', KAFKA_BROKERS: '', MONGODB_URI: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let restartErr = '';
  restart.stderr?.on('data', (b: Buffer) => { restartErr += b.toString(); });
  const restarted = await new Promise<number | null>((r) => restart.once('exit', (code) => r(code)));
  if (restarted !== 0) throw new Error(`drill: local-a's infrastructure did not restart: ${restartErr.slice(-2000)}`);
  // Its MirrorMaker 2 (the flows into local-a) returns with it, as in a region of the chart.
  const mm2 = spawn('bash', ['deploy/local/mirror-maker.sh', 'start'], {
    cwd: ROOT, env: { ...process.env, ...mirrorMakerEnv(0) }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let mm2Err = '';
  mm2.stderr?.on('data', (b: Buffer) => { mm2Err += b.toString(); });
  if ((await new Promise<number | null>((r) => mm2.once('exit', (code) => r(code)))) !== 0) throw new Error(`drill: local-a's MirrorMaker 2 did not restart: ${mm2Err.slice(-2000)}`);
  await until('local-a router ready and synced', async () => (await ready(A.router)) && (await directory(A))?.active === B.name, 180_000);
  const back = await fetch(`${B.router}/v1/tenants/default/failover`, {
    method: 'POST', headers: { authorization: `Bearer ${OPERATOR}`, 'content-type': 'application/json' }, body: JSON.stringify({ to: A.name }),
  });
  note(`failback to local-a: ${back.status} ${await back.text()}`);
  await until('local-a active again', async () => (await directory(A))?.active === A.name, 60_000);

  await Promise.race([load, sleep(900_000)]);
  // Late answers (a message that waited for local-a's return) and late duplicates: wait until quiet.
  let last = requests.length;
  for (let i = 0; i < 15; i++) {
    await sleep(2_000);
    if (requests.length === last && sent.every((s) => answeredAt(s) !== undefined)) break;
    last = requests.length;
  }
  stopping = true;
  await load;
  clearInterval(indexer);
  reindex();
  const by = answers();
  const quotes = (s: Sent) => [...(by.get(s.wamid) ?? []), ...(by.get(s.eventId) ?? [])];
  const answered = sent.filter((s) => quotes(s).length > 0).length;
  const duplicated = sent.reduce((n, s) => n + Math.max(0, quotes(s).length - 1), 0);
  const lost = sent.length - answered;
  // Order per conversation: each answer after the previous message's first answer.
  let outOfOrder = 0;
  for (let c = 0; c < CUSTOMERS; c++) {
    const mine = sent.filter((s) => s.customer === c).sort((x, y) => x.k - y.k).map((s) => Math.min(...quotes(s)));
    for (let i = 1; i < mine.length; i++) if (Number.isFinite(mine[i]) && Number.isFinite(mine[i - 1]) && mine[i] < mine[i - 1]) outOfOrder++;
  }
  if (outOfOrder) note(`${outOfOrder} answers out of order`);
  for (const s of sent.filter((x) => quotes(x).length !== 1)) note(`message ${s.customer}.${s.k} (${s.region ?? 'never acknowledged'}): ${quotes(s).length} answers`);
  void stopUp;
  process.stdout.write(`drill: ${sent.length} sent, ${answered} answered, ${lost} lost, ${duplicated} duplicated, RPO ${(rpoMs / 1000).toFixed(1)} s, RTO ${((rtoMs ?? NaN) / 1000).toFixed(1)} s\n`);
  return lost === 0 && duplicated === 0 && outOfOrder === 0 ? 0 : 1;
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

/** The age at the kill of the oldest message local-a acknowledged that local-b's store does not have. */
async function rpo(acceptedByA: Sent[], killAt: number): Promise<number> {
  const db = await createConnection(B.store).asPromise();
  try {
    const ids = acceptedByA.map((s) => s.eventId);
    const have = new Set((await db.collection('messages').find({ _id: { $in: ids } } as never, { projection: { _id: 1 } }).toArray()).map((d) => String(d._id)));
    const missing = acceptedByA.filter((s) => !have.has(s.eventId));
    note(`at the takeover local-b had ${acceptedByA.length - missing.length} of the ${acceptedByA.length} messages local-a had acknowledged`);
    return missing.length ? killAt - Math.min(...missing.map((s) => s.ackAt ?? killAt)) : 0;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
