/**
 * `tsx scripts/bench/profile-ingest.ts <channel> [seconds]`: where a channel app's CPU goes under
 * saturated webhook ingest, beside the bare receiver fed the same payloads. Both run with
 * `--cpu-prof`; the profiles land in .local/profiles/ (open them in Chrome DevTools) and a summary of
 * self time by package / layer and the top functions is printed. Needs running infrastructure
 * (KAFKA_BROKERS, MONGODB_URI) and a built app (`npm run build`). A tool for reading, not a figure
 * of the bench (profiling slows both servers).
 */
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppName, startApp } from '../../test/support/apps';
import { INGEST_CHANNELS, IngestChannel, channelEnv, saturate, startBareServer, webhookFactory } from './ingest';
import { benchKafka, createTopic } from './kafka';
import { ROOT, withDatabase } from './infra';

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; hitCount?: number; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

/** The layer a frame belongs to: a package under node_modules, node's internals, or our bundle. */
export function layerOf(f: CallFrame): string {
  if (!f.url) return f.functionName.startsWith('(') ? f.functionName : '(native)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f.url);
  if (m) return m[1];
  if (f.url.startsWith('node:')) return `node:${f.url.slice(5).split('/')[1] ?? f.url.slice(5)}`;
  if (f.url.includes('/dist/apps/')) return 'app bundle';
  return f.url.replace(/^file:\/\//, '').replace(ROOT, '');
}

export interface ProfileSummary {
  totalMs: number;
  byLayer: [string, number][];
  topSelf: [string, number][];
  /** Time inside a frame of the layer, counting each sample once however deep (inclusive). */
  inclusiveByLayer: [string, number][];
}

export function summarize(p: CpuProfile): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfMs = new Map<number, number>();
  const idle = (id: number) => byId.get(id)?.callFrame.functionName === '(idle)';
  // Start-up (module loading, Nest's boot) is not ingest: skip everything before the first
  // stretch of 300 ms idle, which is the app waiting for the load to begin.
  let start = 0;
  for (let i = 0, idleMs = 0; i < p.samples.length; i++) {
    idleMs = idle(p.samples[i]) ? idleMs + (p.timeDeltas[i] ?? 0) / 1000 : 0;
    if (idleMs >= 300) {
      start = i;
      break;
    }
  }
  let total = 0;
  p.samples.forEach((id, i) => {
    if (i < start || idle(id)) return;
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    selfMs.set(id, (selfMs.get(id) ?? 0) + dt);
  });
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  const layer = new Map<string, number>();
  const fn = new Map<string, number>();
  const incl = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const n = byId.get(id);
    if (!n) continue;
    add(layer, layerOf(n.callFrame), ms);
    const f = n.callFrame;
    add(fn, `${f.functionName || '(anonymous)'} ${layerOf(f)}:${f.lineNumber + 1}`, ms);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = layerOf(byId.get(cur)?.callFrame ?? { functionName: '', url: '', lineNumber: 0 });
      if (!seen.has(l)) add(incl, l, ms);
      seen.add(l);
    }
  }
  const sorted = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  return { totalMs: total, byLayer: sorted(layer, 25), topSelf: sorted(fn, 40), inclusiveByLayer: sorted(incl, 25) };
}

function print(title: string, s: ProfileSummary, requests: number): void {
  const pct = (v: number) => `${((100 * v) / s.totalMs).toFixed(1).padStart(5)}%`;
  const per = (v: number) => `${((1000 * v) / requests).toFixed(1).padStart(6)} µs/req`;
  process.stdout.write(`\n=== ${title}: ${s.totalMs.toFixed(0)} ms sampled, ${requests} webhooks answered\n-- self time by layer\n`);
  for (const [k, v] of s.byLayer) process.stdout.write(`${pct(v)} ${per(v)}  ${k}\n`);
  process.stdout.write('-- inclusive time by layer (a sample counts once per layer on its stack)\n');
  for (const [k, v] of s.inclusiveByLayer) process.stdout.write(`${pct(v)} ${per(v)}  ${k}\n`);
  process.stdout.write('-- top functions by self time\n');
  for (const [k, v] of s.topSelf) process.stdout.write(`${pct(v)} ${per(v)}  ${k}\n`);
}

async function main(): Promise<void> {
  const channel = (process.argv[2] ?? 'whatsapp') as IngestChannel;
  if (!INGEST_CHANNELS.includes(channel)) throw new Error(`channel must be one of ${INGEST_CHANNELS.join(', ')}`);
  const seconds = Number(process.argv[3] ?? 10);
  const brokers = process.env.KAFKA_BROKERS;
  const mongo = process.env.MONGODB_URI;
  if (!brokers || !mongo) throw new Error('KAFKA_BROKERS and MONGODB_URI are required');
  const run = `prof-${Date.now().toString(36)}`;
  const dir = resolve(ROOT, '.local', 'profiles', run);
  mkdirSync(dir, { recursive: true });
  const prefix = `${run}.`;
  const kafka = benchKafka(brokers);
  await createTopic(kafka, `${prefix}bare.${channel}`, 3);
  const prof = (name: string) => ({ NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${resolve(dir, name)}` });
  const app = await startApp(`channel-${channel}` as AppName, {
    ...channelEnv(channel), KAFKA_BROKERS: brokers, MONGODB_URI: withDatabase(mongo, run.replace(/-/g, '_')), KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_PARTITIONS: '3', INSTANCE_ID: `channel-${channel}-prof`, ...prof('gateway'),
  });
  const saved = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = prof('bare').NODE_OPTIONS;
  const bare = await startBareServer(brokers, `${prefix}bare.`);
  if (saved === undefined) delete process.env.NODE_OPTIONS;
  else process.env.NODE_OPTIONS = saved;
  const make = webhookFactory(channel, run);
  let n = 0;
  try {
    const warm = [];
    for (const url of [app.url, bare.url]) warm.push(await saturate(url, `/webhooks/${channel}`, make, 2, 32, (n += 1_000_000)));
    const g = await saturate(app.url, `/webhooks/${channel}`, make, seconds, 32, (n += 1_000_000));
    const b = await saturate(bare.url, `/webhooks/${channel}`, make, seconds, 32, (n += 1_000_000));
    process.stdout.write(`gateway ${g.perSec.toFixed(0)} req/s (${g.non2xx} non-2xx), bare ${b.perSec.toFixed(0)} req/s (${b.non2xx} non-2xx)\n`);
    await Promise.all([app.stop(), bare.stop()]);
    const load = (name: string) => {
      const d = resolve(dir, name);
      const file = readdirSync(d).find((f) => f.endsWith('.cpuprofile'));
      if (!file) throw new Error(`no profile written in ${d}`);
      return JSON.parse(readFileSync(resolve(d, file), 'utf8')) as CpuProfile;
    };
    // Warm-up and measured phase both count (start-up is cut by summarize); idle is not CPU.
    print(`channel-${channel}`, summarize(load('gateway')), g.ok + warm[0].ok);
    print('bare receiver', summarize(load('bare')), b.ok + warm[1].ok);
    process.stdout.write(`\nprofiles: ${dir}\n`);
  } catch (err) {
    await Promise.all([app.stop(), bare.stop()]);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
