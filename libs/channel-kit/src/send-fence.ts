import { SpanKind } from '@opentelemetry/api';
import { z } from 'zod';
import { OmniError, OutboundCommand, RetryableError } from '@omni/contracts';
import type { PeerSendRepository, RegionAssignmentRepository } from '@omni/persistence';
import { BreakerRegistry, withRetry } from '@omni/resilience';
import { counter, rootLogger, withSpan } from '@omni/telemetry';

/**
 * What the channel apps need of the region pair (ADR 0300): this region, its peers' routers and the
 * operator key they answer with — the same env names as the router's.
 */
export const SendFenceEnvSchema = z.object({
  REGION: z.string().min(1).default('local'),
  REGION_PEERS: z.preprocess(
    (v) => (typeof v === 'string' ? v.split(',').map((x) => x.trim()).filter(Boolean) : v),
    z
      .array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}=https?:\/\/\S+$/, 'name=url, e.g. local-b=http://127.0.0.1:3110'))
      .optional()
      .transform((l) => (l ?? []).map((e) => ({ name: e.slice(0, e.indexOf('=')), url: e.slice(e.indexOf('=') + 1) }))),
  ),
  API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  REGION_PEER_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(1_500),
  /** A paired tenant's send command consumed later than this after it was decided is checked with the other region first. */
  REGION_SEND_CHECK_AFTER_MS: z.coerce.number().int().min(0).max(3_600_000).default(5_000),
});
export type SendFenceConfig = z.output<typeof SendFenceEnvSchema>;

/** The demo and test profiles' operator key (the router's demo default): what `npm run up` and the drill use. */
const DEMO_API_KEY = 'omni-demo-admin-key';

export function sendFenceConfigFromEnv(env: NodeJS.ProcessEnv = process.env): SendFenceConfig {
  const profile = env.OMNI_PROFILE ?? 'production';
  const source = { ...env, ...((profile === 'demo' || profile === 'test') && !env.API_KEY ? { API_KEY: DEMO_API_KEY } : {}) };
  const parsed = SendFenceEnvSchema.safeParse(source);
  if (!parsed.success) throw new Error(`invalid region env for the outbound fence:\n${parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  if (parsed.data.REGION_PEERS.length > 0 && !parsed.data.API_KEY) throw new Error('invalid region env for the outbound fence:\n  - API_KEY: required with REGION_PEERS (the peers answer the operator key)');
  return parsed.data;
}

/** A peer region's word on a send: whether it decided it, and at which directory epoch. */
export interface PeerDecision {
  decided: boolean;
  epoch?: number;
  /** The provider's status webhook for this send reached that region (issue 13): the provider accepted it. */
  confirmed?: { providerMessageId?: string };
}

/** Asks a peer region's router whether it decided a send (`GET /v1/regions/sends/{id}?tenantId=`). */
export interface PeerDecisions {
  /** Throws when the peer is not configured, does not answer, or answers an error. */
  ask(peer: string, tenantId: string, sendId: string): Promise<PeerDecision>;
}

/** The HTTP client of `GET /v1/regions/sends/{id}`: a timeout, one opossum breaker per peer, one retry, a span. */
export class HttpPeerDecisions implements PeerDecisions {
  private readonly breakers = new BreakerRegistry();

  constructor(private readonly config: Pick<SendFenceConfig, 'REGION' | 'REGION_PEERS' | 'API_KEY' | 'REGION_PEER_TIMEOUT_MS'>) {}

  async ask(peer: string, tenantId: string, sendId: string): Promise<PeerDecision> {
    const p = this.config.REGION_PEERS.find((x) => x.name === peer);
    if (!p) throw new OmniError('region_unknown', `region ${peer} is not one of REGION_PEERS`, false);
    const timeout = this.config.REGION_PEER_TIMEOUT_MS;
    const breaker = this.breakers.get(`region-sends:${p.name}`, (t: string, id: string) => this.get(p.url, p.name, t, id, timeout), {
      timeout, volumeThreshold: 3, resetTimeout: 5_000,
    });
    return withSpan('region.peer.sends', SpanKind.CLIENT, { 'omni.region': this.config.REGION, 'omni.peer': p.name, 'omni.tenant': tenantId }, () =>
      withRetry(() => breaker.fire(tenantId, sendId), { attempts: 2, baseDelayMs: 100, maxDelayMs: 500 }));
  }

  onApplicationShutdown(): void {
    this.breakers.shutdown();
  }

  private async get(base: string, name: string, tenantId: string, sendId: string, timeoutMs: number): Promise<PeerDecision> {
    const url = new URL(`/v1/regions/sends/${encodeURIComponent(sendId)}`, base);
    url.searchParams.set('tenantId', tenantId);
    let res: Response;
    try {
      res = await fetch(url, { headers: { accept: 'application/json', authorization: `Bearer ${this.config.API_KEY ?? ''}` }, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      throw new RetryableError('region_unreachable', `region ${name} unreachable (${cause})`);
    }
    if (res.status >= 500) throw new RetryableError('region_error', `region ${name} answered ${res.status}`);
    if (!res.ok) throw new OmniError('region_rejected', `region ${name} answered ${res.status} (is API_KEY the same in both regions?)`, false);
    const body = (await res.json()) as { decided?: unknown; epoch?: unknown; confirmed?: { providerMessageId?: unknown } | null };
    const confirmed = typeof body.confirmed === 'object' && body.confirmed !== null
      ? { ...(typeof body.confirmed.providerMessageId === 'string' ? { providerMessageId: body.confirmed.providerMessageId } : {}) }
      : undefined;
    return { decided: body.decided === true, ...(typeof body.epoch === 'number' ? { epoch: body.epoch } : {}), ...(confirmed ? { confirmed } : {}) };
  }
}

export interface SendFenceDeps {
  config: Pick<SendFenceConfig, 'REGION' | 'REGION_SEND_CHECK_AFTER_MS'>;
  /** The send commands peer regions decided, as this region's router recorded them (`peer_sends`). */
  peerSends: Pick<PeerSendRepository, 'get'>;
  /** This region's copy of the region directory (`region_assignment_epochs`). */
  assignments: Pick<RegionAssignmentRepository, 'get'>;
  peers: PeerDecisions;
  now?: () => number;
}

/** `send`, or why not: a peer region decided the same send at a later epoch (it is that region's to send). */
export type FenceVerdict = { send: true } | { send: false; peer: string; epoch?: number };

/**
 * The outbound fence of paired regions (ADR 0300), checked right before a send is claimed: a command
 * whose reply a peer region decided *later* (at a higher directory epoch: it took the tenant over and
 * answered again) is not sent here. Both regions of a pair hold the same rule, so of two commands with
 * the same send id exactly the later decision is sent:
 *   1. a command without `fence` (an unpaired tenant, an older router) is sent, as before;
 *   2. the peer's mirrored command (`peer_sends`, with its epoch) decides when it is there;
 *   3. a command that outlived a switch (this region's copy has a higher epoch than the command's) or
 *      that was consumed long after it was decided (a region back from an outage, whose copy of the
 *      directory and of the peer's commands may still be old) is checked with the other region of the
 *      pair: MirrorMaker 2 may not have carried the peer's command yet. If that region cannot answer, a
 *      command that outlived a switch is retried later (never a guess); one that did not is sent — this
 *      region is active by its copy, and a peer that does not answer is down.
 * A peer that decided at an equal or lower epoch does not stop the send: its own fence gives way to this one.
 */
export class SendFence {
  private readonly log = rootLogger().child({ component: 'outbound-fence' });
  private readonly checks = counter('omni_outbound_fence_total', 'Paired tenants\' sends checked by the region fence, by verdict', ['verdict']);

  constructor(private readonly deps: SendFenceDeps) {}

  async verdict(cmd: OutboundCommand): Promise<FenceVerdict> {
    const fence = cmd.fence;
    if (!fence) return { send: true };
    const mirrored = await this.deps.peerSends.get(cmd.messageId);
    if (mirrored && mirrored.region !== this.deps.config.REGION) {
      if (mirrored.epoch === undefined || mirrored.epoch > fence.epoch) return this.skip(cmd, mirrored.region, mirrored.epoch, 'mirrored');
    }
    const current = await this.deps.assignments.get(cmd.tenantId);
    if (!current) return this.pass('unpaired');
    const switched = current.epoch > fence.epoch;
    const late = (this.deps.now ?? Date.now)() - Date.parse(cmd.createdAt) > this.deps.config.REGION_SEND_CHECK_AFTER_MS;
    if (!switched && !late) return this.pass('current');
    const other = current.home === this.deps.config.REGION ? current.standby : current.home;
    let answer: PeerDecision;
    try {
      answer = await this.deps.peers.ask(other, cmd.tenantId, cmd.messageId);
    } catch (err) {
      if (!switched) {
        this.log.warn({ messageId: cmd.messageId, peer: other, err: (err as Error).message }, 'late send not checked with the peer region (it does not answer): sent, this region being active by its copy');
        return this.pass('peer_unanswered');
      }
      this.checks.inc({ verdict: 'held' });
      throw new RetryableError('region_send_unknown', `send ${cmd.messageId} outlived a region switch and region ${other} could not say whether it sent it: ${(err as Error).message}`);
    }
    if (answer.decided && (answer.epoch === undefined || answer.epoch > fence.epoch)) return this.skip(cmd, other, answer.epoch, 'asked');
    return this.pass('asked');
  }

  /**
   * Whether the provider's status webhook for this send reached the other region of the tenant's pair
   * (issue 13: a provider posts to one webhook URL, whichever region answers it; a send cut by a kill
   * is reconciled by the region that claimed it). Undefined for an unpaired tenant or when that region
   * has none; throws when it does not answer (the caller holds the send: never a guess).
   */
  async peerConfirmation(cmd: OutboundCommand): Promise<{ providerMessageId?: string } | undefined> {
    if (!cmd.fence) return undefined;
    const current = await this.deps.assignments.get(cmd.tenantId);
    if (!current) return undefined;
    const other = current.home === this.deps.config.REGION ? current.standby : current.home;
    return (await this.deps.peers.ask(other, cmd.tenantId, cmd.messageId)).confirmed;
  }

  private pass(why: string): FenceVerdict {
    this.checks.inc({ verdict: `send_${why}` });
    return { send: true };
  }

  private skip(cmd: OutboundCommand, peer: string, epoch: number | undefined, how: string): FenceVerdict {
    this.checks.inc({ verdict: `peer_sent_${how}` });
    this.log.info({ messageId: cmd.messageId, tenantId: cmd.tenantId, fence: cmd.fence, peer, peerEpoch: epoch }, 'send decided again by a peer region after this one: not sent here');
    return { send: false, peer, ...(epoch !== undefined ? { epoch } : {}) };
  }
}
