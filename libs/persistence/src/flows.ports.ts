import type { CustomerLinkDoc, CustomerTierDoc, ExperimentDoc, ExperimentOutcomeDoc, VerifiedContactDoc, WorkflowRunDoc } from './flows.schemas';

export interface ExperimentRepository {
  save(e: Omit<ExperimentDoc, '_id' | 'createdAt' | 'updatedAt'>): Promise<void>;
  get(tenantId: string, experimentId: string): Promise<ExperimentDoc | null>;
  list(tenantId: string, activeOnly?: boolean): Promise<ExperimentDoc[]>;
}

export interface ExperimentOutcomeRepository {
  /** Once per (experiment, conversation); false when it was recorded already. */
  record(o: Omit<ExperimentOutcomeDoc, '_id'>): Promise<boolean>;
  /** The customer's rating arrived after the outcome was recorded. */
  setCsat(conversationId: string, score: number): Promise<void>;
  list(tenantId: string, experimentId: string): Promise<ExperimentOutcomeDoc[]>;
}

export interface WorkflowRunRepository {
  /** Starts a run once; the stored run (created=false) on a redelivery. */
  start(run: WorkflowRunDoc): Promise<{ run: WorkflowRunDoc; created: boolean }>;
  finish(id: string, fields: Pick<WorkflowRunDoc, 'status' | 'steps' | 'outcome' | 'endedAt'>): Promise<void>;
  ofConversation(conversationId: string): Promise<WorkflowRunDoc[]>;
}

export interface CustomerLinkRepository {
  /** Links a root identity to a profile; false when it is linked already (someone else won). */
  link(l: CustomerLinkDoc): Promise<boolean>;
  get(id: string): Promise<CustomerLinkDoc | null>;
  linkedTo(tenantId: string, profileIds: readonly string[]): Promise<CustomerLinkDoc[]>;
}

export interface VerifiedContactRepository {
  /** Claims a contact for an identity; returns the owner (this one, or whoever presented it first). */
  claim(c: Omit<VerifiedContactDoc, '_id'>): Promise<VerifiedContactDoc>;
  ofCustomers(customerIds: readonly string[]): Promise<VerifiedContactDoc[]>;
}

export interface CustomerTierRepository {
  /** Sets the same tier on each of these identities (a unified profile's). */
  set(tenantId: string, customerIds: readonly string[], tier: Pick<CustomerTierDoc, 'vip' | 'priority' | 'by' | 'at'>): Promise<void>;
  of(tenantId: string, customerIds: readonly string[]): Promise<CustomerTierDoc[]>;
}

export const EXPERIMENT_REPOSITORY = Symbol('ExperimentRepository');
export const EXPERIMENT_OUTCOME_REPOSITORY = Symbol('ExperimentOutcomeRepository');
export const WORKFLOW_RUN_REPOSITORY = Symbol('WorkflowRunRepository');
export const CUSTOMER_LINK_REPOSITORY = Symbol('CustomerLinkRepository');
export const VERIFIED_CONTACT_REPOSITORY = Symbol('VerifiedContactRepository');
export const CUSTOMER_TIER_REPOSITORY = Symbol('CustomerTierRepository');
