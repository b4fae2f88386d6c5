import { Admin, ITopicConfig } from 'kafkajs';
import { dlqTopic, retryTopic } from '@omni/contracts';
import { KafkaSettings } from './settings';

/** `<region alias>.omni.…`: a peer region's topic mirrored here by MirrorMaker 2 (mirroredTopic in @omni/contracts). */
const MIRRORED = /^([a-z0-9][a-z0-9-]*)\.(omni\..+)$/;

/**
 * The topic's name on the cluster: the prefix (KAFKA_TOPIC_PREFIX) before our own topics, and after the
 * source alias of a mirrored one — MirrorMaker 2 names the copy of `<prefix>omni.inbound.v1` from
 * local-b `local-b.<prefix>omni.inbound.v1` (ADR 0300). Its retry and DLQ topics follow the same rule.
 */
export function resolveTopic(settings: Pick<KafkaSettings, 'topicPrefix'>, topic: string): string {
  const mirrored = MIRRORED.exec(topic);
  return mirrored ? `${mirrored[1]}.${settings.topicPrefix}${mirrored[2]}` : settings.topicPrefix + topic;
}

/** The topic's name as subscribed (resolveTopic's inverse). */
export function stripPrefix(settings: Pick<KafkaSettings, 'topicPrefix'>, topic: string): string {
  const p = settings.topicPrefix;
  if (p && topic.startsWith(p)) return topic.slice(p.length);
  const dot = topic.indexOf('.');
  if (p && dot > 0 && topic.startsWith(p, dot + 1) && MIRRORED.test(topic.slice(0, dot + 1) + topic.slice(dot + 1 + p.length))) {
    return topic.slice(0, dot + 1) + topic.slice(dot + 1 + p.length);
  }
  return topic;
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
