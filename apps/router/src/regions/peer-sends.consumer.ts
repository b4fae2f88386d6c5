import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { CHANNELS, mirroredTopic, outboundTopic, parseEvent } from '@omni/contracts';
import { MessagingLifecycle } from '@omni/messaging';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { RegionDirectory } from './region-directory';

/** The peers' mirrored outbound topics (`<peer>.omni.outbound.<channel>.v1`), which MirrorMaker 2 fills. */
export function peerOutboundTopics(config: Pick<RouterConfig, 'REGION_PEERS'>): string[] {
  return config.REGION_PEERS.flatMap((p) => CHANNELS.map((c) => mirroredTopic(p.name, outboundTopic(c))));
}

/**
 * Reads the send commands the peer regions decided (mirrored by MirrorMaker 2): each answers a
 * message this region may hold as pending (then no longer pending), and is never sent from here
 * (ADR 0300). Idempotent: both writes are inserts/deletes by id.
 */
@Injectable()
export class PeerSendsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: MessagingLifecycle,
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
    private readonly directory: RegionDirectory,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const topics = peerOutboundTopics(this.config);
    if (topics.length === 0) return;
    await this.messaging.subscribe({
      groupId: 'router.peer-sends',
      topics,
      keyConcurrency: this.config.ROUTER_CONVERSATIONS_AT_ONCE,
      handler: async (event, ctx) => {
        const cmd = parseEvent(event, 'omni.message.send.v1').data;
        const region = ctx.topic.slice(0, ctx.topic.indexOf('.'));
        await this.directory.peerSent(region, cmd.messageId, cmd.replyToMessageId, cmd.fence?.epoch);
      },
    });
  }
}
