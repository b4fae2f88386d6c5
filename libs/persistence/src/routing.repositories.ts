import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { InsertBatcher, driverInsertMany } from './insert-batcher';
import { insertOnce } from './mongo-errors';
import type {
  AgentRepository, AgentSlotRepository, ApiKeyRepository, BotTurnRepository, OwnershipRepository, Reservation, SkillGroupRepository,
} from './routing.ports';
import type { AgentDoc, AgentSlotDoc, ApiKeyDoc, BotTurnDoc, OwnershipClaimDoc, SkillGroupDoc } from './routing.schemas';
import { anyOf } from './filters';

@Injectable()
export class MongoOwnershipRepository implements OwnershipRepository {
  constructor(@InjectModel('OwnershipClaim') private readonly model: Model<OwnershipClaimDoc>) {}

  claim(entry: OwnershipClaimDoc): Promise<boolean> {
    return insertOnce(this.model, { ...entry, _id: `${entry.conversationId}:${entry.version}` });
  }

  latest(conversationId: string): Promise<OwnershipClaimDoc | null> {
    return this.model.findOne({ conversationId }).sort({ version: -1 }).lean<OwnershipClaimDoc>().exec();
  }

  get(conversationId: string, version: number): Promise<OwnershipClaimDoc | null> {
    return this.model.findById(`${conversationId}:${version}`).lean<OwnershipClaimDoc>().exec();
  }

  ofConversations(conversationIds: readonly string[]): Promise<OwnershipClaimDoc[]> {
    return this.model
      .find({ ...anyOf('conversationId', conversationIds) }, { 'handoff.summary': 0 })
      .sort({ conversationId: 1, version: 1 })
      .lean<OwnershipClaimDoc[]>()
      .exec();
  }
  async lastAssigned(conversationIds: readonly string[]): Promise<OwnershipClaimDoc | null> {
    if (!conversationIds.length) return null;
    const [last] = await this.model
      .find({ ...anyOf('conversationId', conversationIds), state: 'assigned' }, { handoff: 0, routing: 0 })
      .sort({ at: -1 })
      .limit(1)
      .lean<OwnershipClaimDoc[]>()
      .exec();
    return last ?? null;
  }

}

@Injectable()
export class MongoBotTurnRepository implements BotTurnRepository {
  /** Concurrent conversations' turns go out together, each acknowledged once stored (ADR 0011). */
  private readonly inserts: InsertBatcher<BotTurnDoc>;

  constructor(@InjectModel('BotTurn') private readonly model: Model<BotTurnDoc>) {
    this.inserts = new InsertBatcher(driverInsertMany(this.model));
  }

  /** Inserts the turn once (a redelivered AI result records nothing new). */
  async record(turn: BotTurnDoc): Promise<boolean> {
    return (await this.inserts.insert(turn)) === 'inserted';
  }

  /**
   * One query on {conversationId, ownerVersion, at} (indexed on MongoDB and, through its GIN twins,
   * on the local store: ADR 0010). Older versions kept a per-period list of ids to read by key while
   * the local store scanned every query (ADR 0006): two more round trips per turn written and one per
   * turn read, no longer needed; those period documents are only erased now.
   */
  async recent(conversationId: string, ownerVersion: number, limit: number): Promise<BotTurnDoc[]> {
    const rows = await this.model.find({ conversationId, ownerVersion }).sort({ at: -1 }).limit(limit).lean<BotTurnDoc[]>().exec();
    return rows.reverse();
  }

  async setFeedback(tenantId: string, id: string, feedback: 'up' | 'down'): Promise<boolean> {
    const r = await this.model.updateOne({ _id: id, tenantId }, { $set: { feedback } }).exec();
    return r.matchedCount === 1;
  }
}

@Injectable()
export class MongoAgentRepository implements AgentRepository {
  constructor(@InjectModel('Agent') private readonly model: Model<AgentDoc>) {}

  async save(agent: Omit<AgentDoc, 'createdAt' | 'updatedAt'>): Promise<void> {
    const now = new Date();
    const { _id, ...fields } = agent;
    await this.model.updateOne({ _id }, { $set: { ...fields, updatedAt: now }, $setOnInsert: { createdAt: now } }, { upsert: true });
  }

  get(tenantId: string, id: string): Promise<AgentDoc | null> {
    return this.model.findOne({ _id: id, tenantId }).lean<AgentDoc>().exec();
  }

  getAny(id: string): Promise<AgentDoc | null> {
    return this.model.findById(id).lean<AgentDoc>().exec();
  }

  list(tenantId: string, filter: { groupId?: string; presence?: AgentDoc['presence'] } = {}): Promise<AgentDoc[]> {
    return this.model
      .find({ tenantId, ...(filter.groupId ? { groupIds: filter.groupId } : {}), ...(filter.presence ? { presence: filter.presence } : {}) })
      .sort({ _id: 1 })
      .lean<AgentDoc[]>()
      .exec();
  }

  setPresence(tenantId: string, id: string, presence: AgentDoc['presence']): Promise<AgentDoc | null> {
    return this.model.findOneAndUpdate({ _id: id, tenantId }, { $set: { presence, updatedAt: new Date() } }, { returnDocument: 'after' }).lean<AgentDoc>().exec();
  }

  async markAssigned(id: string, at: Date): Promise<void> {
    // Only feeds the "longest idle" tie-break: a lost concurrent write here is harmless.
    await this.model.updateOne({ _id: id }, { $set: { lastAssignedAt: at } });
  }
}

@Injectable()
export class MongoAgentSlotRepository implements AgentSlotRepository {
  constructor(@InjectModel('AgentSlot') private readonly model: Model<AgentSlotDoc>) {}

  async reserve(tenantId: string, agentId: string, maxConcurrent: number, conversationId: string, at: Date): Promise<Reservation> {
    const held = await this.model.find({ agentId }).lean<AgentSlotDoc[]>().exec();
    if (held.some((s) => s.conversationId === conversationId)) return 'already_held';
    const used = new Set(held.map((s) => s.slot));
    for (let slot = 0; slot < maxConcurrent; slot++) {
      if (used.has(slot)) continue;
      if (await insertOnce(this.model, { _id: `${agentId}:${slot}`, tenantId, agentId, slot, conversationId, since: at })) return 'reserved';
      // Lost this slot to a racing router, or our own concurrent retry took another slot already.
      if (await this.model.exists({ agentId, conversationId })) return 'already_held';
    }
    return 'full';
  }

  async release(agentId: string, conversationId: string): Promise<boolean> {
    return (await this.model.deleteOne({ agentId, conversationId })).deletedCount === 1;
  }

  async loads(tenantId: string): Promise<Map<string, number>> {
    const rows = await this.model.find({ tenantId }, { agentId: 1 }).lean<Pick<AgentSlotDoc, 'agentId'>[]>().exec();
    const out = new Map<string, number>();
    for (const r of rows) out.set(r.agentId, (out.get(r.agentId) ?? 0) + 1);
    return out;
  }

  async held(agentId: string): Promise<string[]> {
    return (await this.model.find({ agentId }).lean<AgentSlotDoc[]>().exec()).map((s) => s.conversationId);
  }

  takenBefore(before: Date, limit: number): Promise<AgentSlotDoc[]> {
    return this.model.find({ since: { $lt: before } }).limit(limit).lean<AgentSlotDoc[]>().exec();
  }
}

@Injectable()
export class MongoSkillGroupRepository implements SkillGroupRepository {
  constructor(@InjectModel('SkillGroup') private readonly model: Model<SkillGroupDoc>) {}

  async replace(tenantId: string, groups: ReadonlyArray<{ id: string } & Record<string, unknown>>): Promise<void> {
    const now = new Date();
    for (const [order, g] of groups.entries()) {
      await this.model.updateOne(
        { _id: `${tenantId}:${g.id}` },
        { $set: { tenantId, groupId: g.id, order, config: g, updatedAt: now } },
        { upsert: true },
      );
    }
    await this.model.deleteMany({ tenantId, groupId: { $nin: groups.map((g) => g.id) } });
  }

  list(tenantId: string): Promise<SkillGroupDoc[]> {
    return this.model.find({ tenantId }).sort({ order: 1 }).lean<SkillGroupDoc[]>().exec();
  }
}

@Injectable()
export class MongoApiKeyRepository implements ApiKeyRepository {
  constructor(@InjectModel('ApiKey') private readonly model: Model<ApiKeyDoc>) {}

  find(hash: string): Promise<ApiKeyDoc | null> {
    return this.model.findById(hash).lean<ApiKeyDoc>().exec();
  }

  async save(key: Omit<ApiKeyDoc, 'createdAt'>): Promise<void> {
    await insertOnce(this.model, { ...key, createdAt: new Date() });
  }

  list(tenantId: string): Promise<ApiKeyDoc[]> {
    return this.model.find({ tenantId }).sort({ createdAt: -1 }).limit(1_000).lean<ApiKeyDoc[]>().exec();
  }

  async revoke(tenantId: string, keyId: string): Promise<string | null> {
    // Keys stored before key ids existed are listed as `h-<first 16 hex of the hash>`.
    const legacy = /^h-([0-9a-f]{16})$/.exec(keyId);
    const filter = legacy ? { tenantId, keyId: { $exists: false }, _id: { $regex: `^${legacy[1]}` } } : { tenantId, keyId };
    const doc = await this.model.findOneAndDelete(filter).lean<ApiKeyDoc>().exec();
    return doc?._id ?? null;
  }
}
