import { Admin, ITopicConfig } from 'kafkajs';
import { dlqTopic, retryTopic } from '@omni/contracts';
import { KafkaSettings } from './settings';

export function resolveTopic(settings: Pick<KafkaSettings, 'topicPrefix'>, topic: string): string {
  return settings.topicPrefix + topic;
}

export function stripPrefix(settings: Pick<KafkaSettings, 'topicPrefix'>, topic: string): string {
  return topic.startsWith(settings.topicPrefix) ? topic.slice(settings.topicPrefix.length) : topic;
}

/**
 * Creates each topic with its retry and DLQ companions (partitions, replication factor and
 * min.insync.replicas per environment; topics that already exist are left as they are). The broker does
 * not auto-create topics, so a misspelt name fails loudly instead of becoming an orphan topic.
 */
export async function ensureTopics(admin: Admin, settings: KafkaSettings, topics: string[]): Promise<void> {
  const wanted = new Set<string>();
  for (const t of topics) {
    wanted.add(resolveTopic(settings, t));
    wanted.add(resolveTopic(settings, retryTopic(t)));
    wanted.add(resolveTopic(settings, dlqTopic(t)));
  }
  const existing = new Set(await admin.listTopics());
  const missing: ITopicConfig[] = [...wanted]
    .filter((t) => !existing.has(t))
    .map((topic) => ({
      topic,
      numPartitions: settings.partitions,
      replicationFactor: settings.replicationFactor,
      configEntries: [
        // DLQ records are evidence: keep them two weeks; live topics one week.
        { name: 'retention.ms', value: String((topic.endsWith('.dlq') ? 14 : 7) * 86_400_000) },
        // With acks=all (the idempotent producer) a write needs this many in-sync copies (production: 2 of 3).
        { name: 'min.insync.replicas', value: String(settings.minInsyncReplicas) },
      ],
    }));
  if (missing.length) await createMissing(admin, missing);
  await waitForMetadata(admin, [...wanted]);
}

/**
 * Creates the topics, tolerating the races of a fresh cluster: another instance creating them at the
 * same moment, or a broker whose metadata lags its controller ("does not host this topic-partition"
 * while kafkajs waits for leaders). Retries what is still missing until it exists, bounded.
 */
async function createMissing(admin: Admin, missing: ITopicConfig[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending = missing;
  for (;;) {
    try {
      // Already existing topics are not an error here (kafkajs answers false for them).
      await admin.createTopics({ topics: pending, waitForLeaders: true });
      return;
    } catch (err) {
      const now = new Set(await admin.listTopics().catch((): string[] => []));
      pending = pending.filter((m) => !now.has(m.topic));
      if (pending.length === 0) return;
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/**
 * A topic that another app has just created may not have leaders yet; subscribing then fails with
 * "This server does not host this topic-partition". Wait (bounded) until every partition has one.
 */
async function waitForMetadata(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics });
      if (meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`topics not ready after ${timeoutMs} ms: ${topics.join(', ')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
