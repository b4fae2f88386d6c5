import type { Admin, ITopicConfig, ITopicMetadata } from 'kafkajs';
import { ensureTopics, resolveTopic, stripPrefix } from './topics';
import type { KafkaSettings } from './settings';

const settings: KafkaSettings = { brokers: ['x:1'], clientId: 't', topicPrefix: 'p.', partitions: 2, replicationFactor: 1, minInsyncReplicas: 1, sessionTimeoutMs: 10_000 };

/** An admin client over an in-memory topic list; `lag` create calls fail after creating (metadata not yet visible). */
function fakeAdmin(opts: { lag?: number; visibleAfterLists?: number } = {}) {
  const created = new Set<string>();
  let lag = opts.lag ?? 0;
  let lists = 0;
  const calls: string[][] = [];
  const specs: ITopicConfig[] = [];
  const admin = {
    listTopics: async () => {
      lists++;
      return lists > (opts.visibleAfterLists ?? 0) ? [...created] : [];
    },
    createTopics: async ({ topics }: { topics: ITopicConfig[] }) => {
      calls.push(topics.map((t) => t.topic));
      specs.push(...topics);
      for (const t of topics) created.add(t.topic);
      if (lag-- > 0) throw Object.assign(new Error('This server does not host this topic-partition'), { type: 'UNKNOWN_TOPIC_OR_PARTITION' });
      return true;
    },
    fetchTopicMetadata: async ({ topics }: { topics: string[] }): Promise<{ topics: ITopicMetadata[] }> => ({
      topics: topics.map((name) => ({ name, partitions: [{ partitionId: 0, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0, offlineReplicas: [] }] })),
    }),
  };
  return { admin: admin as unknown as Admin, created, calls, specs };
}

describe('resolveTopic / stripPrefix', () => {
  it('puts the prefix before our topics and after the source alias of a mirrored one (MirrorMaker 2 names the copy of p.omni.inbound.v1 local-b.p.omni.inbound.v1)', () => {
    const p = { topicPrefix: 'p.' };
    expect(resolveTopic(p, 'omni.inbound.v1')).toBe('p.omni.inbound.v1');
    expect(resolveTopic(p, 'local-b.omni.inbound.v1')).toBe('local-b.p.omni.inbound.v1');
    expect(resolveTopic(p, 'local-b.omni.outbound.whatsapp.v1.retry')).toBe('local-b.p.omni.outbound.whatsapp.v1.retry');
    for (const t of ['omni.inbound.v1', 'omni.inbound.v1.dlq', 'local-b.omni.inbound.v1', 'eu-west-1.omni.conversation.v1.retry']) expect(stripPrefix(p, resolveTopic(p, t))).toBe(t);
    const none = { topicPrefix: '' };
    expect(resolveTopic(none, 'local-b.omni.inbound.v1')).toBe('local-b.omni.inbound.v1');
    expect(stripPrefix(none, 'local-b.omni.inbound.v1')).toBe('local-b.omni.inbound.v1');
  });
});

describe('ensureTopics', () => {
  it('creates each topic with its retry and DLQ companions, under the prefix', async () => {
    const { admin, created } = fakeAdmin();
    await ensureTopics(admin, settings, ['omni.inbound.v1']);
    expect([...created].sort()).toEqual(['p.omni.inbound.v1', 'p.omni.inbound.v1.dlq', 'p.omni.inbound.v1.retry']);
  });

  it('creates every topic with the environment replication factor and min.insync.replicas (production: 3 and 2)', async () => {
    const { admin, specs } = fakeAdmin();
    await ensureTopics(admin, { ...settings, replicationFactor: 3, minInsyncReplicas: 2 }, ['omni.inbound.v1']);
    expect(specs).toHaveLength(3);
    for (const t of specs) {
      expect(t.replicationFactor).toBe(3);
      expect(t.configEntries).toContainEqual({ name: 'min.insync.replicas', value: '2' });
    }
  });

  it('survives a fresh broker whose metadata lags the creation, retrying only what is still missing', async () => {
    const { admin, created, calls } = fakeAdmin({ lag: 1, visibleAfterLists: 2 });
    await ensureTopics(admin, settings, ['omni.status.v1']);
    expect(created.size).toBe(3);
    expect(calls).toHaveLength(2);
  });

  it('creates nothing when every topic exists', async () => {
    const { admin, calls } = fakeAdmin();
    await ensureTopics(admin, settings, ['omni.ai.request.v1']);
    await ensureTopics(admin, settings, ['omni.ai.request.v1']);
    expect(calls).toHaveLength(1);
  });
});
