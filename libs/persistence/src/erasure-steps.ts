import type { Connection, Model, QueryFilter } from 'mongoose';
import type { MessageDoc } from './schemas';

/**
 * The steps a data-subject erasure (ADR 0500) and the retention purge (ADR 0501) take in the same
 * stores, one per store: what the two remove of a message, of a file's references and of the channel
 * apps' stores is decided here once; the callers choose only which records (by customer, by age).
 */

/** Store ids of a message's attachments (inbound ones stored from the provider, outbound ones from the store). */
export function storeIdsOf(m: Pick<MessageDoc, 'attachments'>): string[] {
  return (m.attachments ?? []).flatMap((a) => {
    const id = (a as { storeId?: unknown } | null)?.storeId;
    return typeof id === 'string' && /^[a-f0-9]{64}$/.test(id) ? [id] : [];
  });
}

/**
 * messages: text, attachments, AI reading and author name removed; the channel message id (which may
 * embed the sender: web visitor ids, some email Message-IDs) replaced by the message's own event id,
 * which stays unique and still dedupes a redelivery. `authorId`, when given, replaces a customer
 * author's id (the erasure's tombstone); the purge keeps the pseudonymous id for reports.
 */
export async function redactMessages(
  messages: Model<MessageDoc>,
  tenantId: string,
  targets: ReadonlyArray<Pick<MessageDoc, '_id'> & Partial<Pick<MessageDoc, 'author'>>>,
  at: Date,
  authorId?: string,
): Promise<number> {
  if (targets.length === 0) return 0;
  const result = await messages.bulkWrite(targets.map((m) => ({
    updateOne: {
      filter: { _id: m._id, tenantId },
      update: {
        $set: { attachments: [], redactedAt: at, channelMessageId: m._id, ...(authorId && m.author?.kind === 'customer' ? { 'author.id': authorId } : {}) },
        $unset: { text: '', ai: '', 'author.name': '' },
      },
    },
  })), { ordered: false });
  return result.modifiedCount;
}

/**
 * media: of the files `messages` reference, those no message matching `elsewhere` also references
 * (`exclusive`: the caller deletes them) and those it does (`shared`: kept). The store holds one copy
 * of the same bytes per tenant, so another conversation's (or a newer message's) identical file is
 * the same file.
 */
export async function splitFileReferences(
  model: Model<MessageDoc>,
  tenantId: string,
  messages: ReadonlyArray<Pick<MessageDoc, 'attachments'>>,
  elsewhere: QueryFilter<MessageDoc>,
): Promise<{ exclusive: string[]; shared: string[] }> {
  const all = [...new Set(messages.flatMap(storeIdsOf))];
  if (all.length === 0) return { exclusive: [], shared: [] };
  const others = await model.find({ ...elsewhere, tenantId, 'attachments.storeId': { $in: all } }, { attachments: 1 }).lean<Pick<MessageDoc, 'attachments'>[]>().exec();
  const used = new Set(others.flatMap(storeIdsOf));
  return { exclusive: all.filter((id) => !used.has(id)), shared: all.filter((id) => used.has(id)) };
}

/** The channel apps' stores on the shared database; they carry no tenant (ADR 0424, 0501). */
export const CHANNEL_STORES = {
  emailThreads: 'email_threads', webSessions: 'web_sessions', sends: 'sends', sendOutcomes: 'send_outcomes',
  // The provider's confirmations of sends and the resends of sends of unknown outcome (issue 13, ADR 0423).
  sendConfirmations: 'send_confirmations', sendResends: 'send_resends',
  // Sends held behind a send of unknown outcome (ADR 0423 addendum): deleted once decided; a leftover
  // (its command lost to a crash) holds nothing back after an hour and is purged with the ledger.
  sendHolds: 'send_holds',
} as const;
export type ChannelStore = keyof typeof CHANNEL_STORES;

/** email_threads, web_sessions (and the send ledgers, for the purge): records matching each filter deleted. */
export async function deleteChannelRecords<K extends ChannelStore>(db: Connection, filters: Record<K, Record<string, unknown>>): Promise<Record<K, number>> {
  const counts = {} as Record<K, number>;
  for (const store of Object.keys(filters) as K[]) counts[store] = (await db.collection(CHANNEL_STORES[store]).deleteMany(filters[store])).deletedCount;
  return counts;
}
