import { Global, Module } from '@nestjs/common';
import { CHANNELS, TOPICS, outboundTopic } from '@omni/contracts';
import { MessagingModule } from '@omni/messaging';
import { EventSealingModule, PersistenceModule } from '@omni/persistence';
import { ApiRateLimitModule, PlatformModule, rateLimitsOf } from '@omni/platform';
import { AuthModule } from '@omni/auth';
import { ROUTER_CONFIG, loadRouterConfig } from './config';
import { ApiModule } from './api/api.module';
import { DeskModule } from './desk/desk.module';
import { ConversationsModule } from './conversations/conversations.module';
import { GrpcModule } from './grpc/grpc.module';
import { HandoffModule } from './handoff/handoff.module';
import { InboundModule } from './inbound/inbound.module';
import { LiveModule } from './live/live.module';
import { MediaModule } from './media/media.module';
import { PrivacyModule } from './privacy/privacy.module';
import { RepliesModule } from './replies/replies.module';
import { RoutingModule } from './routing/routing.module';
import { StatusesModule } from './statuses/statuses.module';
import { ReportsModule } from './reports/reports.module';
import { ExperimentsModule } from './experiments/experiments.module';
import { CustomersModule } from './customers/customers.module';
import { WorkflowsModule } from './workflows/workflows.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { TenancyModule } from './tenancy/tenancy.module';
import { PeopleModule } from './people/people.module';
import { RegionsModule } from './regions/regions.module';
import { peerInboundTopics } from './inbound/inbound.consumer';
import { peerOutboundTopics } from './regions/peer-sends.consumer';

const config = loadRouterConfig();

/** The validated router config as a provider (STYLE.md §9). */
@Global()
@Module({ providers: [{ provide: ROUTER_CONFIG, useValue: config }], exports: [ROUTER_CONFIG] })
class RouterConfigModule {}

@Module({
  imports: [
    RouterConfigModule,
    PlatformModule.forRoot('router'),
    // Per API key and per client address, across every route (issue 15 #7).
    ApiRateLimitModule.forRoot(rateLimitsOf(config)),
    MessagingModule.forRoot({
      clientId: 'router',
      topics: [TOPICS.inbound, TOPICS.status, TOPICS.aiRequest, TOPICS.aiResult, TOPICS.aiOutcome, TOPICS.conversation, ...CHANNELS.map(outboundTopic),
        // The peers' topics MirrorMaker 2 fills (ADR 0300): created here first, with this region's .retry/.dlq.
        ...peerInboundTopics(config), ...peerOutboundTopics(config)],
    }),
    PersistenceModule.forRoot(config.MONGODB_URI),
    // Crypto-shredding of inbound message events for tenants that opted in (ADR 0501).
    EventSealingModule.forRoot(config),
    AuthModule.forRoot({ operatorKey: config.API_KEY, defaultTenantId: config.TENANT_ID }),
    TenancyModule,
    PeopleModule,
    RegionsModule,
    ConversationsModule,
    HandoffModule,
    RoutingModule,
    DeskModule,
    ApiModule,
    ReportsModule,
    ExperimentsModule,
    CustomersModule,
    WorkflowsModule,
    LifecycleModule,
    LiveModule,
    GrpcModule,
    PrivacyModule,
    MediaModule,
    InboundModule,
    RepliesModule,
    StatusesModule,
  ],
})
export class RouterModule {}
