import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { TOPICS, mirroredTopic, parseEvent } from '@omni/contracts';
import { MessagingLifecycle, freshLane } from '@omni/messaging';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { ReceiveInboundUseCase } from './receive-inbound.use-case';

/** The peers' mirrored inbound topics. */
export function peerInboundTopics(config: Pick<RouterConfig, 'REGION_PEERS'>): string[] {
  return config.REGION_PEERS.map((p) => mirroredTopic(p.name, TOPICS.inbound));
}

@Injectable()
export class InboundConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: MessagingLifecycle,
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
    private readonly receive: ReceiveInboundUseCase,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.subscribe({
      groupId: 'router.inbound',
      // This region's webhooks and its peers' (mirrored by MirrorMaker 2 as <peer>.omni.inbound.v1, ADR 0300).
      topics: [TOPICS.inbound, ...peerInboundTopics(this.config)],
      // Conversations at once, each in order: one slow conversation (a connector call, a slow write)
      // no longer holds every other conversation of its partition (ADR 0011).
      keyConcurrency: this.config.ROUTER_CONVERSATIONS_AT_ONCE,
      // A newcomer is not starved by a backlog: handled as it arrives, out of the backlog's turn (ADR 0012).
      freshLane: freshLane(this.config.ROUTER_FRESH_LANE_CAPACITY, this.config.ROUTER_CONVERSATIONS_AT_ONCE),
      handler: (event, ctx) => this.receive.execute(parseEvent(event, 'omni.message.received.v1'), { lane: ctx.lane, behind: ctx.behind }),
    });
  }
}
