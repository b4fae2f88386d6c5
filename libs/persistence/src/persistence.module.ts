import { DynamicModule, Global, Inject, Module, OnModuleInit } from '@nestjs/common';
import { MongooseModule, getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { ConversationSchema, CustomerSchema, MessageSchema, TenantSchema } from './schemas';
import { CONVERSATION_REPOSITORY, CUSTOMER_REPOSITORY, MESSAGE_REPOSITORY, TENANT_REPOSITORY } from './ports';
import { MongoConversationRepository, MongoCustomerRepository, MongoMessageRepository } from './repositories';
import { MongoTenantRepository } from './tenant.repository';
import { ChannelAccountSchema, TenantConnectorSchema } from './tenancy.schemas';
import { ConversationKeySchema, DATA_KEY_STORE, MongoDataKeyStore } from './data-keys';
import { CHANNEL_ACCOUNT_REPOSITORY, TENANT_CONNECTOR_REPOSITORY, TENANT_DIRECTORY } from './tenancy.ports';
import { MongoChannelAccountRepository, MongoTenantConnectorRepository, MongoTenantDirectory } from './tenancy.repositories';
import { PersonSchema, SessionSchema } from './people.schemas';
import { PERSON_REPOSITORY, SESSION_REPOSITORY } from './people.ports';
import { MongoPersonRepository, MongoSessionRepository } from './people.repositories';
import { LATEST_TENANT_SETTINGS, LatestTenantSettings, MongoTenantSettingsStore, TENANT_SETTINGS_STORE, TenantSettingsVersionSchema, type TenantSettingsStore } from './settings.store';
import { MongoPrivacyRepository, PRIVACY_REPOSITORY, PrivacyRequestSchema } from './privacy.repository';
import { MongoRetentionRepository, RETENTION_REPOSITORY } from './retention.repository';
import { ConversationRecentSchema } from './recent-turns.repository';
import { REGION_MODELS, REGION_PROVIDERS } from './regions.repositories';
import { MongoTenantReplicaRepository, TENANT_REPLICA_REPOSITORY } from './tenant-replica.repository';
import { NluDatasetSchema, NluFeedbackSchema, NluPredictionSchema } from './nlu.schemas';
import { MongoNluDatasetRepository, MongoNluPredictionRepository, NLU_DATASET_REPOSITORY, NLU_PREDICTION_REPOSITORY } from './nlu.repositories';
import { AgentSchema, AgentSlotSchema, ApiKeySchema, BotTurnPeriodSchema, BotTurnSchema, OwnershipClaimSchema, SkillGroupDocSchema } from './routing.schemas';
import { AGENT_REPOSITORY, AGENT_SLOT_REPOSITORY, API_KEY_REPOSITORY, BOT_TURN_REPOSITORY, OWNERSHIP_REPOSITORY, SKILL_GROUP_REPOSITORY } from './routing.ports';
import {
  MongoAgentRepository, MongoAgentSlotRepository, MongoApiKeyRepository, MongoBotTurnRepository, MongoOwnershipRepository, MongoSkillGroupRepository,
} from './routing.repositories';
import { CustomerLinkSchema, CustomerTierSchema, ExperimentDocSchema, ExperimentOutcomeSchema, VerifiedContactSchema, WorkflowRunSchema } from './flows.schemas';
import {
  CUSTOMER_LINK_REPOSITORY, CUSTOMER_TIER_REPOSITORY, EXPERIMENT_OUTCOME_REPOSITORY, EXPERIMENT_REPOSITORY, VERIFIED_CONTACT_REPOSITORY, WORKFLOW_RUN_REPOSITORY,
} from './flows.ports';
import {
  MongoCustomerLinkRepository, MongoCustomerTierRepository, MongoExperimentOutcomeRepository, MongoExperimentRepository, MongoVerifiedContactRepository, MongoWorkflowRunRepository,
} from './flows.repositories';
import { CannedResponseSchema, ConversationNoteSchema, ConversationViewerSchema } from './desk.schemas';
import { CANNED_RESPONSE_REPOSITORY, CONVERSATION_NOTE_REPOSITORY, CONVERSATION_VIEWER_REPOSITORY } from './desk.ports';
import { MongoCannedResponseRepository, MongoConversationNoteRepository, MongoConversationViewerRepository } from './desk.repositories';

/** The workspace's notes, viewers and canned responses (ADR 0700). */
const DESK_PROVIDERS = [
  { provide: CONVERSATION_NOTE_REPOSITORY, useClass: MongoConversationNoteRepository },
  { provide: CONVERSATION_VIEWER_REPOSITORY, useClass: MongoConversationViewerRepository },
  { provide: CANNED_RESPONSE_REPOSITORY, useClass: MongoCannedResponseRepository },
];

const FLOW_PROVIDERS = [
  { provide: EXPERIMENT_REPOSITORY, useClass: MongoExperimentRepository },
  { provide: EXPERIMENT_OUTCOME_REPOSITORY, useClass: MongoExperimentOutcomeRepository },
  { provide: WORKFLOW_RUN_REPOSITORY, useClass: MongoWorkflowRunRepository },
  { provide: CUSTOMER_LINK_REPOSITORY, useClass: MongoCustomerLinkRepository },
  { provide: VERIFIED_CONTACT_REPOSITORY, useClass: MongoVerifiedContactRepository },
  { provide: CUSTOMER_TIER_REPOSITORY, useClass: MongoCustomerTierRepository },
];

const ROUTING_PROVIDERS = [
  { provide: OWNERSHIP_REPOSITORY, useClass: MongoOwnershipRepository },
  { provide: BOT_TURN_REPOSITORY, useClass: MongoBotTurnRepository },
  { provide: AGENT_REPOSITORY, useClass: MongoAgentRepository },
  { provide: AGENT_SLOT_REPOSITORY, useClass: MongoAgentSlotRepository },
  { provide: SKILL_GROUP_REPOSITORY, useClass: MongoSkillGroupRepository },
  { provide: API_KEY_REPOSITORY, useClass: MongoApiKeyRepository },
  // People who sign in, and their sessions (ADR 0610).
  { provide: PERSON_REPOSITORY, useClass: MongoPersonRepository },
  { provide: SESSION_REPOSITORY, useClass: MongoSessionRepository },
];

/** The AI worker's tenant NLU data and prediction log. */
const NLU_PROVIDERS = [
  { provide: NLU_DATASET_REPOSITORY, useClass: MongoNluDatasetRepository },
  { provide: NLU_PREDICTION_REPOSITORY, useClass: MongoNluPredictionRepository },
];

class IndexSync implements OnModuleInit {
  constructor(@Inject(getConnectionToken()) private readonly connection: Connection) {}

  /** Unique indexes must exist before the first write, or a redelivery could slip in twice. */
  async onModuleInit(): Promise<void> {
    await Promise.all(Object.values(this.connection.models).map((m) => m.createIndexes()));
  }
}

@Global()
@Module({})
export class PersistenceModule {
  static forRoot(uri: string): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [
        MongooseModule.forRoot(uri, {
          serverSelectionTimeoutMS: 5_000,
          socketTimeoutMS: 20_000,
          maxPoolSize: 20,
          autoIndex: false,
          retryWrites: false, // FerretDB locally; MongoDB in production may enable it via the URI
        }),
        MongooseModule.forFeature([
          { name: 'Customer', schema: CustomerSchema },
          { name: 'Conversation', schema: ConversationSchema },
          { name: 'Message', schema: MessageSchema },
          { name: 'Tenant', schema: TenantSchema },
          { name: 'OwnershipClaim', schema: OwnershipClaimSchema },
          { name: 'BotTurn', schema: BotTurnSchema },
          { name: 'BotTurnPeriod', schema: BotTurnPeriodSchema },
          { name: 'Agent', schema: AgentSchema },
          { name: 'AgentSlot', schema: AgentSlotSchema },
          { name: 'SkillGroup', schema: SkillGroupDocSchema },
          { name: 'ApiKey', schema: ApiKeySchema },
          { name: 'PrivacyRequest', schema: PrivacyRequestSchema },
          { name: 'ConversationRecent', schema: ConversationRecentSchema },
          { name: 'Experiment', schema: ExperimentDocSchema },
          { name: 'ExperimentOutcome', schema: ExperimentOutcomeSchema },
          { name: 'WorkflowRun', schema: WorkflowRunSchema },
          { name: 'CustomerLink', schema: CustomerLinkSchema },
          { name: 'VerifiedContact', schema: VerifiedContactSchema },
          { name: 'CustomerTier', schema: CustomerTierSchema },
          { name: 'NluDataset', schema: NluDatasetSchema },
          { name: 'NluPrediction', schema: NluPredictionSchema },
          { name: 'NluFeedback', schema: NluFeedbackSchema },
          { name: 'ChannelAccount', schema: ChannelAccountSchema },
          { name: 'TenantConnector', schema: TenantConnectorSchema },
          { name: 'ConversationKey', schema: ConversationKeySchema },
          { name: 'Person', schema: PersonSchema },
          { name: 'Session', schema: SessionSchema },
          ...REGION_MODELS,
          { name: 'TenantSettingsVersion', schema: TenantSettingsVersionSchema },
          { name: 'ConversationNote', schema: ConversationNoteSchema },
          { name: 'ConversationViewer', schema: ConversationViewerSchema },
          { name: 'CannedResponse', schema: CannedResponseSchema },
        ]),
      ],
      providers: [
        IndexSync,
        { provide: CUSTOMER_REPOSITORY, useClass: MongoCustomerRepository },
        { provide: CONVERSATION_REPOSITORY, useClass: MongoConversationRepository },
        { provide: MESSAGE_REPOSITORY, useClass: MongoMessageRepository },
        { provide: TENANT_REPOSITORY, useClass: MongoTenantRepository },
        { provide: PRIVACY_REPOSITORY, useClass: MongoPrivacyRepository },
        { provide: RETENTION_REPOSITORY, useClass: MongoRetentionRepository },
        { provide: TENANT_DIRECTORY, useClass: MongoTenantDirectory },
        { provide: CHANNEL_ACCOUNT_REPOSITORY, useClass: MongoChannelAccountRepository },
        { provide: TENANT_CONNECTOR_REPOSITORY, useClass: MongoTenantConnectorRepository },
        { provide: DATA_KEY_STORE, useClass: MongoDataKeyStore },
        { provide: TENANT_SETTINGS_STORE, useClass: MongoTenantSettingsStore },
        { provide: LATEST_TENANT_SETTINGS, useFactory: (store: TenantSettingsStore) => new LatestTenantSettings(store), inject: [TENANT_SETTINGS_STORE] },
        ...ROUTING_PROVIDERS,
        ...FLOW_PROVIDERS,
        ...DESK_PROVIDERS,
        ...NLU_PROVIDERS,
        ...REGION_PROVIDERS,
        { provide: TENANT_REPLICA_REPOSITORY, useClass: MongoTenantReplicaRepository },
      ],
      exports: [
        CUSTOMER_REPOSITORY, CONVERSATION_REPOSITORY, MESSAGE_REPOSITORY, TENANT_REPOSITORY, PRIVACY_REPOSITORY, RETENTION_REPOSITORY, TENANT_DIRECTORY, CHANNEL_ACCOUNT_REPOSITORY, TENANT_CONNECTOR_REPOSITORY, DATA_KEY_STORE, TENANT_SETTINGS_STORE, LATEST_TENANT_SETTINGS,
        ...ROUTING_PROVIDERS.map((p) => p.provide), ...FLOW_PROVIDERS.map((p) => p.provide), ...DESK_PROVIDERS.map((p) => p.provide), ...NLU_PROVIDERS.map((p) => p.provide), ...REGION_PROVIDERS.map((p) => p.provide), TENANT_REPLICA_REPOSITORY, MongooseModule,
      ],
    };
  }
}
