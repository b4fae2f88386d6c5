import { createConnection } from 'mongoose';

/** What `seedStoredHistory` wrote, per collection. */
export interface SeededHistory {
  conversations: number;
  messages: number;
  botTurns: number;
  predictions: number;
  seconds: number;
}

interface TemplateConversation {
  _id: string;
  tenantId: string;
  region: string;
  channel: string;
  accountId: string;
}

const BATCH = 1_000;

/**
 * Issue 11's "latency does not grow with stored data": writes a resolved history beside what the
 * phase already stored — `conversations` conversations of the same tenant, channel and account as the
 * phase's first conversation, each with `perConversation` messages (customer and bot alternating),
 * the bot turns and predictions of its customer messages, and its customer — with the raw driver in
 * batches (as a store migrated from another product would hold them). The apps then serve new
 * sessions beside that history: every query they make on these collections must still find its
 * answer by index, not by the amount stored.
 */
export async function seedStoredHistory(mongoUri: string, conversations: number, perConversation: number): Promise<SeededHistory> {
  const t0 = performance.now();
  const db = await createConnection(mongoUri, { serverSelectionTimeoutMS: 5_000 }).asPromise();
  try {
    const template = await db.collection<TemplateConversation>('conversations').findOne({}, { projection: { tenantId: 1, region: 1, channel: 1, accountId: 1 } });
    if (!template) throw new Error('seedStoredHistory: no conversation to take the tenant and account from (run a phase first)');
    const scope = { tenantId: template.tenantId, region: template.region, channel: template.channel, accountId: template.accountId };
    const start = Date.now() - 30 * 24 * 3600_000;
    let messages = 0;
    let botTurns = 0;
    let predictions = 0;
    for (let from = 0; from < conversations; from += BATCH / perConversation) {
      const convs: Record<string, unknown>[] = [];
      const msgs: Record<string, unknown>[] = [];
      const turns: Record<string, unknown>[] = [];
      const preds: Record<string, unknown>[] = [];
      const customers: Record<string, unknown>[] = [];
      for (let c = from; c < Math.min(conversations, from + BATCH / perConversation); c++) {
        const id = `seed-conv-${c}`;
        const customerId = `seed-customer-${c}`;
        const opened = new Date(start + c * 60_000);
        const last = new Date(opened.getTime() + perConversation * 30_000);
        convs.push({
          _id: id, ...scope, customerId, channelUserId: `seed-user-${c}`, state: 'resolved', resolvedBy: 'bot', language: 'en', version: 1,
          since: last, lastInboundAt: last, lastMessageAt: last, createdAt: opened, updatedAt: last,
        });
        customers.push({ _id: customerId, tenantId: scope.tenantId, displayName: `Seed ${c}`, createdAt: opened, updatedAt: last });
        for (let m = 0; m < perConversation; m++) {
          const inbound = m % 2 === 0;
          const at = new Date(opened.getTime() + m * 30_000);
          const mid = `seed-msg-${c}-${m}`;
          msgs.push({
            _id: mid, tenantId: scope.tenantId, conversationId: id, channel: scope.channel, accountId: scope.accountId, channelMessageId: mid,
            direction: inbound ? 'inbound' : 'outbound', author: inbound ? { kind: 'customer', id: customerId, name: `Seed ${c}` } : { kind: 'bot', id: 'seed' },
            type: 'text', text: inbound ? 'where is my order 12345?' : 'Your order ships tomorrow.', attachments: [],
            ...(inbound ? {} : { replyToMessageId: `seed-msg-${c}-${m - 1}`, status: 'delivered' }),
            timestamp: at, createdAt: at, statusRank: inbound ? 0 : 2, statusHistory: [],
          });
          messages++;
          if (!inbound) continue;
          const ai = { language: 'en', intent: { name: 'order_status', confidence: 0.91 }, entities: [], answer: { text: 'Your order ships tomorrow.' }, abstained: false };
          turns.push({ _id: mid, tenantId: scope.tenantId, conversationId: id, ownerVersion: 0, at, customerText: 'where is my order 12345?', ai });
          preds.push({
            _id: mid, tenantId: scope.tenantId, conversationId: id, language: 'en', intent: 'order_status', confidence: 0.91, abstained: false,
            alternatives: [{ name: 'order_status', confidence: 0.91 }], model: 'seed', at,
          });
          botTurns++;
          predictions++;
        }
      }
      await Promise.all([
        db.collection('conversations').insertMany(convs, { ordered: false }),
        db.collection('customers').insertMany(customers, { ordered: false }),
        db.collection('messages').insertMany(msgs, { ordered: false }),
        db.collection('bot_turns').insertMany(turns, { ordered: false }),
        db.collection('nlu_predictions').insertMany(preds, { ordered: false }),
      ]);
    }
    return { conversations, messages, botTurns, predictions, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await db.close();
  }
}

/**
 * Drops the database the history was written to, once measured: PostgreSQL's autovacuum of the
 * seeded tables would otherwise run during the next section and count as its store's CPU (seen: 2.5×
 * PostgreSQL's CPU per message in the conversation section that followed).
 */
export async function dropStoredHistory(mongoUri: string): Promise<void> {
  const db = await createConnection(mongoUri, { serverSelectionTimeoutMS: 5_000 }).asPromise();
  try {
    await db.dropDatabase();
  } finally {
    await db.close();
  }
}
