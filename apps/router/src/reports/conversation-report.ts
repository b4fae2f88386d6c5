import { Inject, Injectable } from '@nestjs/common';
import {
  CONVERSATION_REPOSITORY, ConversationRepository, MESSAGE_REPOSITORY, MessageRepository, OWNERSHIP_REPOSITORY, OwnershipRepository,
} from '@omni/persistence';
import { aggregateMetrics, type MetricsReport } from '@omni/routing';
import { RoutingDirectory } from '../routing/routing-directory';
import { conversationRecord, type Response } from './conversation-record';

/** Conversations per report; a wider range is truncated and says so (use a shorter range). */
export const REPORT_LIMIT = 5_000;
/** `$in` lists stay short: FerretDB turns them into SQL, MongoDB is fine either way. */
const CHUNK = 500;

export interface ConversationReport extends MetricsReport {
  readonly from: string;
  readonly to: string;
  readonly channel: string | null;
  /** True when more than REPORT_LIMIT conversations opened in the range: the oldest are reported. */
  readonly truncated: boolean;
}

/**
 * First-response and resolution times, containment, the resolution SLA, handoff reasons and CSAT of a
 * tenant's conversations, for the whole and per channel, language and group.
 */
@Injectable()
export class ConversationReportQuery {
  constructor(
    @Inject(CONVERSATION_REPOSITORY) private readonly conversations: ConversationRepository,
    @Inject(OWNERSHIP_REPOSITORY) private readonly ownership: OwnershipRepository,
    @Inject(MESSAGE_REPOSITORY) private readonly messages: MessageRepository,
    private readonly groups: RoutingDirectory,
  ) {}

  async execute(tenantId: string, q: { from: Date; to: Date; channel?: string }): Promise<ConversationReport> {
    const rows = await this.conversations.openedBetween(tenantId, q.from, q.to, { channel: q.channel }, REPORT_LIMIT + 1);
    const convs = rows.slice(0, REPORT_LIMIT);
    const ids = convs.map((c) => c._id);
    const [entries, responses, groups] = await Promise.all([
      inChunks(ids, (part) => this.ownership.ofConversations(part)), inChunks(ids, (part) => this.messages.responsesOf(part)), this.groups.groupsOf(tenantId),
    ]);
    // Each group's resolution SLA as configured now (its own, else the tenant's sla.resolutionSeconds).
    const targets = new Map(groups.map((g) => [g.id, g.resolutionSeconds]));
    const entriesBy = groupBy(entries, (e) => e.conversationId);
    const responsesBy = groupBy<Response & { conversationId: string }>(responses, (m) => m.conversationId);
    const records = convs.map((c) => conversationRecord(c, entriesBy.get(c._id) ?? [], responsesBy.get(c._id) ?? [], (g) => targets.get(g)));
    return { from: q.from.toISOString(), to: q.to.toISOString(), channel: q.channel ?? null, truncated: rows.length > REPORT_LIMIT, ...aggregateMetrics(records, new Date()) };
  }
}

async function inChunks<T>(ids: readonly string[], load: (part: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) out.push(...(await load(ids.slice(i, i + CHUNK))));
  return out;
}

function groupBy<T>(rows: readonly T[], key: (r: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const list = m.get(key(r));
    if (list) list.push(r);
    else m.set(key(r), [r]);
  }
  return m;
}
