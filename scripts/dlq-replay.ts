// Moves dead letters back to the topic they came from, after the cause has been fixed:
//   npm run dlq:replay -- --topic omni.inbound.v1 [--limit 100] [--dry-run]
import { parseArgs } from 'node:util';
import { createKafka, kafkaSettingsFromEnv, replayDeadLetters } from '@omni/messaging';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { topic: { type: 'string' }, limit: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
  });
  if (!values.topic) throw new Error('usage: npm run dlq:replay -- --topic <topic> [--limit N] [--dry-run]');
  const settings = kafkaSettingsFromEnv('dlq-replay');
  const dryRun = values['dry-run'];
  const moved = await replayDeadLetters(createKafka(settings), settings, values.topic, {
    limit: values.limit ? Number(values.limit) : undefined,
    dryRun,
    onRecord: (offset, error) => console.log(`${dryRun ? 'would replay' : 'replaying'} offset ${offset}${error ? ` (${error})` : ''}`),
  });
  console.log(`${dryRun ? 'would move' : 'moved'} ${moved} record(s) back to ${values.topic}`);
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(1);
});
