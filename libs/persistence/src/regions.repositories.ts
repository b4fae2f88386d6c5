import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Schema } from 'mongoose';
import { insertOnce } from './mongo-errors';

/** One tenant's copy of the region directory in this region's store (ADR 0300); `_id` is the tenant id. */
export interface RegionAssignmentDoc {
  _id: string;
  home: string;
  standby: string;
  active: string;
  epoch: number;
  since: string;
}

/**
 * As stored: one document per epoch, `_id` = `<tenantId>:<epoch>`, inserted once and never updated;
 * the tenant's assignment is its highest epoch. An epoch is claimed by an insert on a unique key
 * (ADR 0210), not by a conditional update: FerretDB applies an update as a read-modify-write without
 * isolation, and racing conditional writes let an older epoch overwrite a newer one (the int-spec's
 * five concurrent copies did, in a full run).
 */
interface StoredAssignment extends Omit<RegionAssignmentDoc, '_id'> {
  _id: string;
  tenantId: string;
}

export const RegionAssignmentSchema = new Schema<StoredAssignment>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    home: { type: String, required: true },
    standby: { type: String, required: true },
    active: { type: String, required: true },
    epoch: { type: Number, required: true },
    since: { type: String, required: true },
  },
  { versionKey: false, collection: 'region_assignment_epochs' },
);
RegionAssignmentSchema.index({ tenantId: 1, epoch: -1 });

const toAssignment = ({ tenantId, _id: _key, ...rest }: StoredAssignment): RegionAssignmentDoc => ({ _id: tenantId, ...rest });

/**
 * An inbound message this region recorded while another region was active for its tenant, not yet
 * answered by that region (as far as the mirrored send commands tell): replayed at a switch to here.
 */
export interface RegionPendingDoc {
  _id: string;
  tenantId: string;
  conversationId: string;
  /** The event's time: replay order. */
  at: Date;
  /** The CloudEvent as the consumer read it (JSON), replayed through the inbound use case. */
  event: string;
}

export const RegionPendingSchema = new Schema<RegionPendingDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    conversationId: { type: String, required: true },
    at: { type: Date, required: true },
    event: { type: String, required: true },
  },
  { versionKey: false, collection: 'region_pending' },
);
RegionPendingSchema.index({ tenantId: 1, at: 1 });

/** A send command another region decided (seen on its mirrored outbound topic): `_id` is the message id. */
export interface PeerSendDoc {
  _id: string;
  region: string;
  replyToMessageId?: string;
  /** The tenant's directory epoch when the peer decided it (its command's `fence`); absent when unknown (an answer to a question, an older router). */
  epoch?: number;
  at: Date;
}

export const PeerSendSchema = new Schema<PeerSendDoc>(
  { _id: { type: String, required: true }, region: { type: String, required: true }, replyToMessageId: String, epoch: Number, at: { type: Date, required: true } },
  { versionKey: false, collection: 'peer_sends' },
);

export interface RegionAssignmentRepository {
  get(tenantId: string): Promise<RegionAssignmentDoc | null>;
  list(limit: number): Promise<RegionAssignmentDoc[]>;
  /** Stores `a` only if no copy with an equal or higher epoch is there (one conditional write); true if stored. */
  putIfNewer(a: RegionAssignmentDoc): Promise<boolean>;
}
export const REGION_ASSIGNMENT_REPOSITORY = Symbol('RegionAssignmentRepository');

export interface RegionPendingRepository {
  /** Idempotent on the event id. */
  add(p: RegionPendingDoc): Promise<void>;
  remove(id: string): Promise<void>;
  /** The tenant's pending messages, oldest first. */
  oldest(tenantId: string, limit: number): Promise<RegionPendingDoc[]>;
}
export const REGION_PENDING_REPOSITORY = Symbol('RegionPendingRepository');

export interface PeerSendRepository {
  /** Idempotent on the message id. */
  record(s: PeerSendDoc): Promise<void>;
  has(id: string): Promise<boolean>;
  get(id: string): Promise<PeerSendDoc | null>;
}
export const PEER_SEND_REPOSITORY = Symbol('PeerSendRepository');

@Injectable()
export class MongoRegionAssignmentRepository implements RegionAssignmentRepository {
  constructor(@InjectModel('RegionAssignment') private readonly model: Model<StoredAssignment>) {}

  async get(tenantId: string): Promise<RegionAssignmentDoc | null> {
    const latest = await this.model.findOne({ tenantId }).sort({ epoch: -1 }).lean<StoredAssignment>().exec();
    return latest ? toAssignment(latest) : null;
  }

  /** Each tenant's highest epoch; versions are few (one per switch), so they are folded here. */
  async list(limit: number): Promise<RegionAssignmentDoc[]> {
    const all = await this.model.find({}).sort({ tenantId: 1, epoch: -1 }).lean<StoredAssignment[]>().exec();
    const latest = new Map<string, StoredAssignment>();
    for (const d of all) if (!latest.has(d.tenantId)) latest.set(d.tenantId, d);
    return [...latest.values()].slice(0, limit).map(toAssignment);
  }

  /**
   * Claims epoch `a.epoch` for the tenant by inserting it; true when this call inserted it and it is
   * the highest epoch stored. An equal epoch already there (a peer's copy, a mirror's redelivery, a
   * racing switch) is the same assignment or the winner of that race: false, nothing changes.
   */
  async putIfNewer(a: RegionAssignmentDoc): Promise<boolean> {
    const { _id: tenantId, ...fields } = a;
    const current = await this.get(tenantId);
    if (current && current.epoch >= a.epoch) return false;
    if (!(await insertOnce(this.model, { ...fields, _id: `${tenantId}:${a.epoch}`, tenantId }))) return false;
    return (await this.get(tenantId))?.epoch === a.epoch;
  }
}

@Injectable()
export class MongoRegionPendingRepository implements RegionPendingRepository {
  constructor(@InjectModel('RegionPending') private readonly model: Model<RegionPendingDoc>) {}

  async add(p: RegionPendingDoc): Promise<void> {
    await insertOnce(this.model, p);
  }

  async remove(id: string): Promise<void> {
    await this.model.deleteOne({ _id: id });
  }

  oldest(tenantId: string, limit: number): Promise<RegionPendingDoc[]> {
    return this.model.find({ tenantId }).sort({ at: 1, _id: 1 }).limit(limit).lean<RegionPendingDoc[]>().exec();
  }
}

@Injectable()
export class MongoPeerSendRepository implements PeerSendRepository {
  constructor(@InjectModel('PeerSend') private readonly model: Model<PeerSendDoc>) {}

  async record(s: PeerSendDoc): Promise<void> {
    await insertOnce(this.model, s);
  }

  async has(id: string): Promise<boolean> {
    // An `_id` lookup: FerretDB runs countDocuments as an aggregation that scans the collection.
    return (await this.model.exists({ _id: id })) !== null;
  }

  get(id: string): Promise<PeerSendDoc | null> {
    return this.model.findById(id).lean<PeerSendDoc>().exec();
  }
}

export const REGION_MODELS = [
  { name: 'RegionAssignment', schema: RegionAssignmentSchema },
  { name: 'RegionPending', schema: RegionPendingSchema },
  { name: 'PeerSend', schema: PeerSendSchema },
];

export const REGION_PROVIDERS = [
  { provide: REGION_ASSIGNMENT_REPOSITORY, useClass: MongoRegionAssignmentRepository },
  { provide: REGION_PENDING_REPOSITORY, useClass: MongoRegionPendingRepository },
  { provide: PEER_SEND_REPOSITORY, useClass: MongoPeerSendRepository },
];
