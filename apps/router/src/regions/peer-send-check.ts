import { Inject, Injectable } from '@nestjs/common';
import { MESSAGE_REPOSITORY, MessageRepository } from '@omni/persistence';
import { counter } from '@omni/telemetry';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { PeerWatch } from './peer-watch';
import { RegionDirectory } from './region-directory';

/**
 * Whether a bot reply this region is about to send was decided by a peer region already (ADR 0300).
 * First the mirrored send commands (`peer_sends`); then, for a message this region stored before it
 * became the tenant's active region and within REGION_TAKEOVER_CHECK_MS of that switch, the previous
 * active region itself when it answers: MirrorMaker 2 may not have carried its last send commands yet
 * (at a failback the returning region's inbound mirror restarts with it), and a fixed wait for them
 * either wastes time or is too short. A positive answer is recorded like a mirrored one. A peer that
 * does not answer its polls is not asked (an outage: the mirrored copy is all there is).
 */
@Injectable()
export class PeerSendCheck {
  private readonly asked = counter('omni_region_peer_send_checks_total', 'Replies checked with the previous active region after a switch, by answer', ['answer']);

  constructor(
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
    private readonly directory: RegionDirectory,
    private readonly peers: PeerWatch,
    @Inject(MESSAGE_REPOSITORY) private readonly messages: MessageRepository,
  ) {}

  /** `sendId` answers the inbound message `inboundId` of `tenantId`. */
  async decidedByPeer(tenantId: string, inboundId: string, sendId: string, now = Date.now()): Promise<boolean> {
    if (await this.directory.sentByPeer(tenantId, sendId)) return true;
    const a = this.directory.get(tenantId);
    if (!a || a.active !== this.directory.region || a.epoch <= 1) return false; // no pair, or nobody else ever acted
    const since = Date.parse(a.since);
    if (now - since > this.config.REGION_TAKEOVER_CHECK_MS) return false;
    const inbound = await this.messages.get(inboundId);
    // Stored after the switch: this region was active when it came, no other region acted on it.
    if (!inbound || inbound.createdAt.getTime() >= since) return false;
    const previous = a.home === this.directory.region ? a.standby : a.home;
    const decided = await this.peers.decidedByPeer(previous, tenantId, sendId);
    this.asked.inc({ answer: decided === undefined ? 'unreachable' : String(decided) });
    if (!decided) return false;
    await this.directory.peerSent(previous, sendId, inboundId);
    return true;
  }
}
