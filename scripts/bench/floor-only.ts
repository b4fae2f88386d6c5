/**
 * The conversation section's floor phase (scripts/bench/conversation.ts floorChain) alone, a few
 * times, against running infrastructure — for chasing the floor without a whole bench run:
 *   KAFKA_BROKERS=127.0.0.1:9092 MONGODB_URI=mongodb://127.0.0.1:27017/floor \
 *     tsx scripts/bench/floor-only.ts [--runs 3] [--proxy] [--sessions 200] [--messages 4] [--writes 8]
 * --proxy puts scripts/bench/db-counter.mjs in front of the database, as `npm run bench` does. Each
 * run has topics and a database of its own. Exits 1 when a run failed.
 */
import { parseArgs } from 'node:util';
import { GATEWAY_HOPS, floorChain, startDbCounter } from './conversation';
import { benchKafka } from './kafka';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    proxy: { type: 'boolean', default: false },
    sessions: { type: 'string', default: '200' },
    messages: { type: 'string', default: '4' },
    writes: { type: 'string', default: '8' },
  },
});

async function main(): Promise<number> {
  const kafka = benchKafka(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092');
  const mongoUri = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/floor';
  const counter = values.proxy ? await startDbCounter(mongoUri) : undefined;
  let failed = 0;
  try {
    for (let r = 1; r <= Number(values.runs); r++) {
      const tag = `floor${Date.now().toString(36)}`;
      const uri = new URL(mongoUri);
      uri.pathname = `/${tag}`;
      const t0 = performance.now();
      const took = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
      try {
        const f = await floorChain(kafka, counter ? counter.via(uri.toString()) : uri.toString(), `${tag}.`, GATEWAY_HOPS, Number(values.writes), Number(values.sessions), Number(values.messages), 3);
        const counted = counter ? `; through the counter ${JSON.stringify(await counter.counts())}` : '';
        process.stderr.write(`run ${r}: ok, ${f.answered} answered, ${f.perSec.toFixed(1)} msg/s, p99 ${f.latency.p99.toFixed(0)} ms, ${f.writes} writes${counted} (${took()})\n`);
      } catch (err) {
        failed++;
        process.stderr.write(`run ${r}: FAILED after ${took()}: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    }
  } finally {
    await counter?.stop();
  }
  return failed ? 1 : 0;
}

void main().then((code) => process.exit(code));
