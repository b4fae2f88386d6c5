import { Global, Module } from '@nestjs/common';
import { TOPICS } from '@omni/contracts';
import { MessagingModule } from '@omni/messaging';
import { EventSealingModule, PersistenceModule } from '@omni/persistence';
import { ApiRateLimitModule, PlatformModule, rateLimitsOf } from '@omni/platform';
import { AuthModule } from '@omni/auth';
import { AnswerModule } from './answer/answer.module';
import { AI_WORKER_CONFIG, loadAiWorkerConfig } from './config';
import { OutcomesModule } from './outcomes/outcomes.module';
import { TenantDataModule } from './tenant-data/tenant-data.module';

const config = loadAiWorkerConfig();

/** The validated config as a provider (STYLE.md §9). */
@Global()
@Module({ providers: [{ provide: AI_WORKER_CONFIG, useValue: config }], exports: [AI_WORKER_CONFIG] })
class AiWorkerConfigModule {}

@Module({
  imports: [
    AiWorkerConfigModule,
    PlatformModule.forRoot('ai-worker'),
    // Per API key and per client address, across every route (issue 15 #7).
    ApiRateLimitModule.forRoot(rateLimitsOf(config)),
    MessagingModule.forRoot({ clientId: 'ai-worker', topics: [TOPICS.aiRequest, TOPICS.aiResult, TOPICS.aiOutcome] }),
    // Tenants' NLU data and the prediction log (FerretDB locally), shared by all replicas.
    PersistenceModule.forRoot(config.MONGODB_URI),
    // Crypto-shredding (ADR 0501): an opted-in tenant's events leave sealed and are opened on the way in.
    EventSealingModule.forRoot(config),
    AuthModule.forRoot({ operatorKey: config.API_KEY, defaultTenantId: config.TENANT_ID }),
    AnswerModule,
    TenantDataModule,
    OutcomesModule,
  ],
})
export class AiWorkerModule {}
