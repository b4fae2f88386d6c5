import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { insertOnce } from './mongo-errors';
import type {
  CustomerTierRepository,
  CustomerLinkRepository, ExperimentOutcomeRepository, ExperimentRepository, VerifiedContactRepository, WorkflowRunRepository,
} from './flows.ports';
import type { CustomerLinkDoc, CustomerTierDoc, ExperimentDoc, ExperimentOutcomeDoc, VerifiedContactDoc, WorkflowRunDoc } from './flows.schemas';
import { anyOf } from './filters';

@Injectable()
export class MongoExperimentRepository implements ExperimentRepository {
  constructor(@InjectModel('Experiment') private readonly model: Model<ExperimentDoc>) {}

  async save(e: Omit<ExperimentDoc, '_id' | 'createdAt' | 'updatedAt'>): Promise<void> {
    const now = new Date();
    await this.model.updateOne(
      { _id: `${e.tenantId}:${e.experimentId}` },
      { $set: { ...e, updatedAt: now }, $setOnInsert: { createdAt: now } },
      { upsert: true },
    );
  }

  get(tenantId: string, experimentId: string): Promise<ExperimentDoc | null> {
    return this.model.findById(`${tenantId}:${experimentId}`).lean<ExperimentDoc>().exec();
  }

  list(tenantId: string, activeOnly = false): Promise<ExperimentDoc[]> {
    return this.model.find({ tenantId, ...(activeOnly ? { active: true } : {}) }).sort({ experimentId: 1 }).lean<ExperimentDoc[]>().exec();
  }
}

@Injectable()
export class MongoExperimentOutcomeRepository implements ExperimentOutcomeRepository {
  constructor(@InjectModel('ExperimentOutcome') private readonly model: Model<ExperimentOutcomeDoc>) {}

  record(o: Omit<ExperimentOutcomeDoc, '_id'>): Promise<boolean> {
    return insertOnce(this.model, { ...o, _id: `${o.tenantId}:${o.experimentId}:${o.conversationId}` });
  }

  async setCsat(conversationId: string, score: number): Promise<void> {
    await this.model.updateMany({ conversationId }, { $set: { csat: score } });
  }

  list(tenantId: string, experimentId: string): Promise<ExperimentOutcomeDoc[]> {
    return this.model.find({ tenantId, experimentId }).lean<ExperimentOutcomeDoc[]>().exec();
  }
}

@Injectable()
export class MongoWorkflowRunRepository implements WorkflowRunRepository {
  constructor(@InjectModel('WorkflowRun') private readonly model: Model<WorkflowRunDoc>) {}

  async start(run: WorkflowRunDoc): Promise<{ run: WorkflowRunDoc; created: boolean }> {
    if (await insertOnce(this.model, run)) return { run, created: true };
    const existing = await this.model.findById(run._id).lean<WorkflowRunDoc>().exec();
    if (!existing) throw new Error(`workflow run ${run._id} vanished`);
    return { run: existing, created: false };
  }

  async finish(id: string, fields: Pick<WorkflowRunDoc, 'status' | 'steps' | 'outcome' | 'endedAt'>): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: fields });
  }

  ofConversation(conversationId: string): Promise<WorkflowRunDoc[]> {
    return this.model.find({ conversationId }).sort({ startedAt: 1 }).lean<WorkflowRunDoc[]>().exec();
  }
}

@Injectable()
export class MongoCustomerLinkRepository implements CustomerLinkRepository {
  constructor(@InjectModel('CustomerLink') private readonly model: Model<CustomerLinkDoc>) {}

  link(l: CustomerLinkDoc): Promise<boolean> {
    return insertOnce(this.model, l);
  }

  get(id: string): Promise<CustomerLinkDoc | null> {
    return this.model.findById(id).lean<CustomerLinkDoc>().exec();
  }

  linkedTo(tenantId: string, profileIds: readonly string[]): Promise<CustomerLinkDoc[]> {
    return this.model.find({ tenantId, ...anyOf('profileId', profileIds) }).lean<CustomerLinkDoc[]>().exec();
  }
}

@Injectable()
export class MongoVerifiedContactRepository implements VerifiedContactRepository {
  constructor(@InjectModel('VerifiedContact') private readonly model: Model<VerifiedContactDoc>) {}

  async claim(c: Omit<VerifiedContactDoc, '_id'>): Promise<VerifiedContactDoc> {
    const doc: VerifiedContactDoc = { ...c, _id: `${c.tenantId}:${c.kind}:${c.value}` };
    if (await insertOnce(this.model, doc)) return doc;
    const owner = await this.model.findById(doc._id).lean<VerifiedContactDoc>().exec();
    if (!owner) throw new Error(`verified contact ${doc._id} vanished`);
    return owner;
  }

  ofCustomers(customerIds: readonly string[]): Promise<VerifiedContactDoc[]> {
    return this.model.find({ ...anyOf('customerId', customerIds) }).sort({ at: 1 }).lean<VerifiedContactDoc[]>().exec();
  }
}

@Injectable()
export class MongoCustomerTierRepository implements CustomerTierRepository {
  constructor(@InjectModel('CustomerTier') private readonly model: Model<CustomerTierDoc>) {}

  async set(tenantId: string, customerIds: readonly string[], tier: Pick<CustomerTierDoc, 'vip' | 'priority' | 'by' | 'at'>): Promise<void> {
    if (!customerIds.length) return;
    await this.model.bulkWrite(
      customerIds.map((_id) => ({ replaceOne: { filter: { _id, tenantId }, replacement: { _id, tenantId, ...tier }, upsert: true } })),
      { ordered: false },
    );
  }

  of(tenantId: string, customerIds: readonly string[]): Promise<CustomerTierDoc[]> {
    return this.model.find({ tenantId, ...anyOf('_id', customerIds) }).lean<CustomerTierDoc[]>().exec();
  }
}
