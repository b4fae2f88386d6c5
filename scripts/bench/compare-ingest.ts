/**
 * `tsx scripts/bench/compare-ingest.ts <baseline dist dir> [--channels a,b] [--rounds 4] [--seconds 6]`:
 * two builds of the channel apps (this checkout's dist/ and another one, e.g. main's) and the bare
 * receiver, measured **interleaved** on one machine: each round saturates the baseline build, this
 * build and the bare receiver in turn (the order rotates every round), so a neighbour's burst hits
 * all three alike. Prints each round and the median requests/s and CPU per webhook, as ratios to
 * the bare receiver of the same round; then the fixed-rate phase (1,000/s open loop) of this build
 * and the bare receiver. Needs KAFKA_BROKERS and MONGODB_URI (running infrastructure) and both builds
 * (`npm run build`). What `npm run bench` measures, arranged to compare two builds on a busy machine
 * (docs/adr/0009-webhook-ingest-on-fastify.md).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AppName, RunningApp, startApp } from '../../test/support/apps';
import { INGEST_CHANNELS, IngestChannel, channelEnv, fixedRate, saturate, startBareServer, webhookFactory } from './ingest';
import { benchKafka, createTopic } from './kafka';
import { ROOT, withDatabase } from './infra';
import { cpuSeconds } from './memory';
import { ms, table } from './stats';

interface Sample { perSec: number; cpuMs: number; non2xx: number }

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { channels: { type: 'string' }, rounds: { type: 'string', default: '4' }, seconds: { type: 'string', default: '6' }, rate: { type: 'string', default: '1000' } },
  });
  const baselineDist = positionals[0];
  if (!baselineDist) throw new Error('usage: compare-ingest.ts <baseline dist dir> [--channels whatsapp,messenger,telegram] [--rounds 4] [--seconds 6]');
  const channels = (values.channels?.split(',') ?? INGEST_CHANNELS) as IngestChannel[];
  const rounds = Number(values.rounds);
  const seconds = Number(values.seconds);
  const rate = Number(values.rate);
  const brokers = process.env.KAFKA_BROKERS;
  const mongo = process.env.MONGODB_URI;
  if (!brokers || !mongo) throw new Error('KAFKA_BROKERS and MONGODB_URI are required');
  const run = `cmp-${Date.now().toString(36)}`;
  const kafka = benchKafka(brokers);
  for (const c of channels) await createTopic(kafka, `${run}.bare.${c}`, 3);
  const bare = await startBareServer(brokers, `${run}.bare.`);
  const out: string[] = [`interleaved saturation: ${rounds} rounds × ${seconds} s per server, 32 connections; load average at start ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`];
  try {
    for (const channel of channels) {
      const env = (build: string) => ({
        ...channelEnv(channel), KAFKA_BROKERS: brokers, MONGODB_URI: withDatabase(mongo, `${run}_${build}_${channel}`), KAFKA_TOPIC_PREFIX: `${run}.${build}.`,
        KAFKA_PARTITIONS: '3', INSTANCE_ID: `channel-${channel}-${build}`,
      });
      const apps: Record<'baseline' | 'candidate', RunningApp> = {
        baseline: await startApp(`channel-${channel}` as AppName, env('baseline'), resolve(baselineDist)),
        candidate: await startApp(`channel-${channel}` as AppName, env('candidate'), resolve(ROOT, 'dist')),
      };
      const servers = { baseline: apps.baseline, candidate: apps.candidate, bare: { url: bare.url, proc: bare.proc } };
      const names = ['baseline', 'candidate', 'bare'] as const;
      const make = webhookFactory(channel, run);
      const path = `/webhooks/${channel}`;
      let n = 0;
      const phase = async (name: (typeof names)[number], secs: number): Promise<Sample> => {
        const pid = servers[name].proc.pid;
        const c0 = cpuSeconds(pid);
        const r = await saturate(servers[name].url, path, make, secs, 32, (n += 1_000_000));
        return { perSec: r.perSec, cpuMs: ((cpuSeconds(pid) - c0) * 1000) / r.ok, non2xx: r.non2xx + r.errors };
      };
      for (const name of names) await phase(name, 2);
      const samples: Record<(typeof names)[number], Sample[]> = { baseline: [], candidate: [], bare: [] };
      for (let r = 0; r < rounds; r++) {
        // Rotate who goes first, so no build always follows the same neighbour.
        for (let k = 0; k < names.length; k++) {
          const name = names[(r + k) % names.length];
          samples[name].push(await phase(name, seconds));
        }
        process.stderr.write(`${channel} round ${r + 1}: ${names.map((x) => `${x} ${Math.round(samples[x][r].perSec)}/s`).join(', ')}\n`);
      }
      const rows = [['round', 'baseline req/s', 'candidate req/s', 'bare req/s', 'baseline/bare', 'candidate/bare', 'CPU/webhook baseline', 'candidate', 'bare']];
      for (let r = 0; r < rounds; r++) {
        const [b, c, x] = [samples.baseline[r], samples.candidate[r], samples.bare[r]];
        rows.push([String(r + 1), b.perSec.toFixed(0), c.perSec.toFixed(0), x.perSec.toFixed(0), (b.perSec / x.perSec).toFixed(2), (c.perSec / x.perSec).toFixed(2), `${b.cpuMs.toFixed(3)} ms`, `${c.cpuMs.toFixed(3)} ms`, `${x.cpuMs.toFixed(3)} ms`]);
      }
      const med = (name: (typeof names)[number], k: keyof Sample) => median(samples[name].map((s) => s[k]));
      const ratios = (name: 'baseline' | 'candidate') => median(samples[name].map((s, r) => s.perSec / samples.bare[r].perSec));
      rows.push(['median', med('baseline', 'perSec').toFixed(0), med('candidate', 'perSec').toFixed(0), med('bare', 'perSec').toFixed(0), ratios('baseline').toFixed(2), ratios('candidate').toFixed(2),
        `${med('baseline', 'cpuMs').toFixed(3)} ms`, `${med('candidate', 'cpuMs').toFixed(3)} ms`, `${med('bare', 'cpuMs').toFixed(3)} ms`]);
      const errors = names.map((x) => `${x} ${samples[x].reduce((s, v) => s + v.non2xx, 0)}`).join(', ');
      out.push(`\n${channel} (non-2xx or errors: ${errors})`, table(rows));
      await apps.baseline.stop();
      const fixed = [];
      for (const [name, url] of [['candidate', apps.candidate.url], ['bare', bare.url]] as const) {
        const f = await fixedRate(url, path, make, rate, Math.max(seconds, 8), (n += 1_000_000));
        fixed.push([name, `${f.sentPerSec.toFixed(0)}/s`, ms(f.p50), ms(f.p99), `${f.failed} failed, ${f.unanswered} unanswered`]);
      }
      out.push(table([[`at ${rate}/s open loop`, 'sent', 'p50', 'p99', ''], ...fixed]));
      await apps.candidate.stop();
    }
  } finally {
    await bare.stop();
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
