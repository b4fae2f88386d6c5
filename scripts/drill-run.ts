/**
 * The failover drill's load and verdict (ADR 0300, issue 13), shared by `npm run drill` (scripts/drill.ts,
 * the two regions of `npm run up -- --regions 2`) and the regions drill e2e (two regions on private
 * ports): customers of the bootstrap tenant (homed in region A, standby B) each write their messages one
 * after the other, waiting for the bot's answer, their webhooks going to A and B in turn (a delivery
 * that fails is retried at the other region, as a provider retries). Mid-load the caller's `kill` takes
 * A down; B takes the tenant over by itself; the caller's `restart` brings A back and the operator fails
 * the tenant back. The verdict counts, from the WhatsApp contract server's log:
 *   - answered: messages quoted by at least one accepted send; lost = sent − answered (after the wait);
 *   - duplicated: accepted sends beyond the first that quote the same message;
 *   - out of order: an answer before the previous message's first answer, per customer;
 *   - RPO: at the takeover, the age at the kill of the oldest message A had accepted that B's store did
 *     not have yet (0 when it had them all): what a standby that had to serve alone would have missed;
 *   - RTO: from the kill to the first answer to a message sent after the kill.
 */
import { spawn } from 'node:child_process';
import { createConnection } from 'mongoose';
import { channelEventId, derivedId } from '@omni/contracts';
import { SignedWebhook, signedMetaWebhook, whatsappTextWebhook } from '../test/support/webhooks';

export interface DrillRegion {
  name: string;
  /** channel-whatsapp's base URL (webhooks). */
  whatsapp: string;
  /** The router's base URL (directory, failover). */
  router: string;
  /** The region's store (mongodb URI). */
  store: string;
}

/** A request the WhatsApp contract server answered (its log). */
export interface GraphRequest {
  path: string;
  body: unknown;
  at: number;
  status?: number;
  answer?: unknown;
}

export interface DrillOptions {
  /** [home A, standby B] of the bootstrap tenant `tenantId`. */
  regions: readonly [DrillRegion, DrillRegion];
  tenantId: string;
  operatorKey: string;
  /** The WhatsApp account (phone number id) of the tenant and its app secret (webhook signatures). */
  phoneId: string;
  appSecret: string;
  customers: number;
  messages: number;
  /** What the customers write, in turn (default: a greeting, an order question — the demo connector's workflow —, thanks). */
  texts?: readonly string[];
  requests: GraphRequest[];
  /** SIGKILL of region A (apps, infrastructure, MirrorMaker 2). */
  kill: () => void;
  /** Region A's infrastructure back; resolves when started (its apps may still be starting). */
  restart: () => Promise<void>;
  /** Progress (stderr in the script). */
  note: (msg: string) => void;
  /** How long a customer waits for an answer before writing the next message (180 s). */
  answerWaitMs?: number;
  /** Seconds on B alone before A returns (10 s). */
  aloneMs?: number;
}

export interface DrillResult {
  sent: number;
  answered: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  rpoMs: number;
  rtoMs: number | undefined;
  /** `drill: N sent, N answered, L lost, D duplicated, RPO x s, RTO y s` */
  line: string;
}

const TEXTS = ['Hello!', 'Where is my order ORD-12345?', 'thanks'];

/**
 * Runs a deploy/local script (`bash <script> <args>`) to its end. Not spawnSync: the WhatsApp contract
 * server answers from the caller's event loop, and a blocked loop stalls its answers into the
 * sender's timeouts and retries (duplicates that are the drill's, not the failover's).
 */
export async function runScript(cwd: string, args: string[], env: NodeJS.ProcessEnv, what: string): Promise<void> {
  const child = spawn('bash', args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (b: Buffer) => { err += b.toString(); });
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  if (code !== 0) throw new Error(`drill: ${what} failed (${code}): ${err.slice(-2000)}`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Sent {
  customer: number;
  k: number;
  wamid: string;
  eventId: string;
  /** When a region acknowledged the webhook, and which. */
  ackAt?: number;
  region?: string;
}

export async function ready(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}

export async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 500): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`drill: ${what} not reached in ${Math.round(timeoutMs / 1000)} s`);
    await sleep(everyMs);
  }
}

/** The region's copy of the tenant's assignment (undefined while it does not answer). */
export async function directory(region: DrillRegion, operatorKey: string, tenantId: string): Promise<{ active: string; epoch: number } | undefined> {
  try {
    const res = await fetch(`${region.router}/v1/regions/directory`, { headers: { authorization: `Bearer ${operatorKey}` }, signal: AbortSignal.timeout(2_000) });
    if (!res.ok) return undefined;
    const d = (await res.json()) as { assignments: { tenantId: string; active: string; epoch: number }[] };
    return d.assignments.find((a) => a.tenantId === tenantId);
  } catch {
    return undefined;
  }
}

function webhook(o: DrillOptions, from: string, wamid: string, text: string): SignedWebhook {
  return signedMetaWebhook(whatsappTextWebhook({ phoneNumberId: o.phoneId, from, wamid, text, name: `Drill ${from.slice(-3)}` }), o.appSecret);
}

/** Delivers like a provider: the chosen region first, then the other, until one acknowledges (200). */
async function deliver(o: DrillOptions, s: Sent, text: string, first: number, stop: () => boolean): Promise<void> {
  const hook = webhook(o, customerNumber(s.customer), s.wamid, text);
  for (let attempt = 0; !stop(); attempt++) {
    const region = o.regions[(first + attempt) % 2];
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

/**
 * Both regions agree on the tenant's assignment, with A active: a region started before its peer answers
 * may have taken the tenant over (or an earlier run stopped mid-way left it in B) — the operator fails it
 * back first.
 */
export async function startAtHome(o: Pick<DrillOptions, 'regions' | 'operatorKey' | 'tenantId' | 'note'>): Promise<void> {
  const [A, B] = o.regions;
  const dir = (region: DrillRegion) => directory(region, o.operatorKey, o.tenantId);
  await until('both regions agree on the tenant', async () => {
    const [a, b] = [await dir(A), await dir(B)];
    return a !== undefined && b !== undefined && a.epoch === b.epoch;
  }, 60_000);
  if ((await dir(A))?.active !== A.name) {
    const back = await fetch(`${A.router}/v1/tenants/${o.tenantId}/failover`, {
      method: 'POST', headers: { authorization: `Bearer ${o.operatorKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ to: A.name }),
    });
    o.note(`the tenant was active in ${B.name} (an earlier run, or ${B.name} started before ${A.name} answered): failed back first (${back.status})`);
  }
  await until(`both regions know the tenant is active in ${A.name}`, async () => (await dir(B))?.active === A.name && (await dir(A))?.active === A.name, 60_000);
}

/** The drill on two running regions with the tenant active in A: load, kill, takeover, return, failback, verdict. */
export async function runDrill(o: DrillOptions): Promise<DrillResult> {
  const { requests, note } = o;
  const [A, B] = o.regions;
  const CUSTOMERS = o.customers;
  const MESSAGES = o.messages;
  const dir = (region: DrillRegion) => directory(region, o.operatorKey, o.tenantId);
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
      const s: Sent = { customer: c, k, wamid, eventId: channelEventId('whatsapp', o.phoneId, wamid) };
      sent.push(s);
      const texts = o.texts ?? TEXTS;
      await deliver(o, s, texts[k % texts.length], (c + k) % 2, () => stopping);
      // The customer waits for the answer (up to 3 min: a message may wait for its region to return).
      const deadline = Date.now() + (o.answerWaitMs ?? 180_000);
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
  note(`killing ${A.name} (SIGKILL of its apps, Kafka, FerretDB, PostgreSQL, MirrorMaker 2) after ${sent.length} sent`);
  o.kill();

  // local-b takes over by itself.
  await until('local-b active for the demo tenant', async () => (await dir(B))?.active === B.name, 120_000);
  const takeoverAt = Date.now();
  note(`${B.name} took over ${((takeoverAt - killAt) / 1000).toFixed(1)} s after the kill`);
  const rpoMs = await rpo(B, note, sent.filter((s) => s.region === A.name && s.ackAt !== undefined && s.ackAt <= killAt), killAt);

  // Some load on local-b alone, then local-a returns and the tenant fails back.
  await until('answers on local-b', async () => rtoMs !== undefined || sent.length >= total, 300_000);
  await sleep(o.aloneMs ?? 10_000);
  note(`${A.name} returns (its infrastructure and MirrorMaker 2 restarted; its apps return)`);
  await o.restart();
  await until(`${A.name} router ready and synced`, async () => (await ready(A.router)) && (await dir(A))?.active === B.name, 180_000);
  const back = await fetch(`${B.router}/v1/tenants/${o.tenantId}/failover`, {
    method: 'POST', headers: { authorization: `Bearer ${o.operatorKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ to: A.name }),
  });
  note(`failback to ${A.name}: ${back.status} ${await back.text()}`);
  await until(`${A.name} active again`, async () => (await dir(A))?.active === A.name, 60_000);

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
  const odd = sent.filter((x) => quotes(x).length !== 1);
  for (const s of odd) note(`message ${s.customer}.${s.k} (${s.region ?? 'never acknowledged'}): ${quotes(s).length} answers`);
  if (odd.length) await explain(o, odd, requests);
  const line = `drill: ${sent.length} sent, ${answered} answered, ${lost} lost, ${duplicated} duplicated, RPO ${(rpoMs / 1000).toFixed(1)} s, RTO ${((rtoMs ?? NaN) / 1000).toFixed(1)} s`;
  return { sent: sent.length, answered, lost, duplicated, outOfOrder, rpoMs, rtoMs, line };
}

/**
 * For a message answered not exactly once: what each region's store says of its reply (the router's
 * outbound message, the channel's send claim and outcome, the peer sends) and every request the contract
 * server took for that customer (status, quoted id, provider id) — the evidence for the verdict.
 */
async function explain(o: DrillOptions, odd: Sent[], requests: GraphRequest[]): Promise<void> {
  for (const region of o.regions) {
    let db;
    try {
      db = await createConnection(region.store).asPromise();
    } catch (err) {
      o.note(`${region.name}: store unreadable (${(err as Error).message})`);
      continue;
    }
    try {
      for (const s of odd) {
        const replyId = derivedId(s.eventId, 'bot-reply');
        const read = async (collection: string, id: string) => JSON.stringify(await db.collection(collection).findOne({ _id: id } as never, { projection: { text: 0, ai: 0, statusHistory: 0 } }));
        o.note(`${region.name} ${s.customer}.${s.k}: inbound ${await read('messages', s.eventId)}; reply ${await read('messages', replyId)}; claim ${await read('sends', replyId)}; outcome ${await read('send_outcomes', replyId)}; peer_sends ${await read('peer_sends', replyId)}`);
      }
    } finally {
      await db.close();
    }
  }
  for (const s of odd) {
    const to = customerNumber(s.customer);
    for (const r of requests.filter((x) => (x.body as { to?: string } | undefined)?.to === to)) {
      const b = r.body as { context?: { message_id?: string }; text?: { body?: string } };
      const id = (r.answer as { messages?: { id?: string }[] } | undefined)?.messages?.[0]?.id;
      o.note(`contract server, to customer ${s.customer}: ${new Date(r.at).toISOString().slice(11, 23)} ${r.status ?? 'no answer'} quoting ${b.context?.message_id ?? '(nothing)'} → ${id ?? '-'} "${(b.text?.body ?? '').slice(0, 40)}"`);
    }
  }
}

/** The age at the kill of the oldest message A acknowledged that B's store does not have. */
async function rpo(B: DrillRegion, note: (msg: string) => void, acceptedByA: Sent[], killAt: number): Promise<number> {
  const db = await createConnection(B.store).asPromise();
  try {
    const ids = acceptedByA.map((s) => s.eventId);
    const have = new Set((await db.collection('messages').find({ _id: { $in: ids } } as never, { projection: { _id: 1 } }).toArray()).map((d) => String(d._id)));
    const missing = acceptedByA.filter((s) => !have.has(s.eventId));
    note(`at the takeover ${B.name} had ${acceptedByA.length - missing.length} of the ${acceptedByA.length} messages the killed region had acknowledged`);
    return missing.length ? killAt - Math.min(...missing.map((s) => s.ackAt ?? killAt)) : 0;
  } finally {
    await db.close();
  }
}
