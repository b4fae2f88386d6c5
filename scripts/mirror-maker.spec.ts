import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TOPICS, outboundTopic } from '@omni/contracts';
import { resolveTopic } from '@omni/messaging';
import { peerInboundTopics } from '../apps/router/src/inbound/inbound.consumer';
import { peerOutboundTopics } from '../apps/router/src/regions/peer-sends.consumer';

const ROOT = resolve(__dirname, '..');

/** The `topics=` regex deploy/local/mirror-maker.sh writes for MirrorMaker 2 under `prefix`, as MM2 applies it (whole name). */
function mirroredTopics(prefix: string): RegExp {
  const data = mkdtempSync(join(tmpdir(), 'mm2-'));
  try {
    const props = execFileSync('bash', [resolve(ROOT, 'deploy/local/mirror-maker.sh'), 'config'], {
      env: { ...process.env, OMNI_DATA: data, KAFKA_TOPIC_PREFIX: prefix, MM2_TOPICS: '' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const line = props.split('\n').find((l) => l.startsWith('topics='));
    if (!line) throw new Error(`no topics= in:\n${props}`);
    // A .properties value reads `\\` as one backslash; MM2 matches the whole topic name.
    return new RegExp(`^(?:${line.slice('topics='.length).replace(/\\\\/g, '\\')})$`);
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
}

describe('mirrored topic names follow KAFKA_TOPIC_PREFIX (ADR 0300)', () => {
  const shared = [TOPICS.inbound, outboundTopic('whatsapp'), outboundTopic('web'), TOPICS.conversation];

  it.each(['', 'drill-e2e.', 'int-x.y.'])('MM2 mirrors the prefixed shared topics, and the router reads their copies where MM2 writes them (prefix %j)', (prefix) => {
    const topics = mirroredTopics(prefix);
    for (const t of shared) expect(topics.test(prefix + t)).toBe(true);
    // Not another run's topics, not a region's own retry/DLQ or status topics, never a copy again.
    for (const t of [`${prefix}omni.status.v1`, `${prefix}omni.inbound.v1.retry`, `${prefix}omni.outbound.whatsapp.v1.dlq`, `local-b.${prefix}omni.inbound.v1`]) expect(topics.test(t)).toBe(false);
    if (prefix) expect(topics.test(TOPICS.inbound)).toBe(false);

    // DefaultReplicationPolicy names the copy from local-b `local-b.<source topic>`; the router subscribes its peer topics through resolveTopic.
    const config = { REGION_PEERS: [{ name: 'local-b', url: 'http://127.0.0.1:3110' }] };
    const readByRouter = [...peerInboundTopics(config), ...peerOutboundTopics(config)].map((t) => resolveTopic({ topicPrefix: prefix }, t));
    const writtenByMm2 = [TOPICS.inbound, outboundTopic('whatsapp'), outboundTopic('web')].map((t) => `local-b.${prefix}${t}`);
    for (const copy of writtenByMm2) expect(readByRouter).toContain(copy);
  });
});
