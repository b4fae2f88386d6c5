import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { PEER_SEND_REPOSITORY, PeerSendRepository, REGION_ASSIGNMENT_REPOSITORY, RegionAssignmentRepository } from '@omni/persistence';
import { SendConfirmationSchema, SendLedger, SendOutcomeSchema, SendHoldSchema, SendResendSchema, SendSchema } from './send-ledger';
import { HttpPeerDecisions, SendFence, sendFenceConfigFromEnv } from './send-fence';
import { SEND_RECONCILE_CONFIG, sendReconcileConfigFromEnv } from './send-reconcile';

/**
 * The send ledger and the region fence for a channel app (needs PersistenceModule.forRoot for the
 * connection and the region repositories the router writes).
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: 'Send', schema: SendSchema }, { name: 'SendOutcome', schema: SendOutcomeSchema },
      { name: 'SendConfirmation', schema: SendConfirmationSchema }, { name: 'SendResend', schema: SendResendSchema },
      { name: 'SendHold', schema: SendHoldSchema },
    ]),
  ],
  providers: [
    SendLedger,
    { provide: SEND_RECONCILE_CONFIG, useFactory: () => sendReconcileConfigFromEnv() },
    { provide: HttpPeerDecisions, useFactory: () => new HttpPeerDecisions(sendFenceConfigFromEnv()) },
    {
      provide: SendFence,
      inject: [PEER_SEND_REPOSITORY, REGION_ASSIGNMENT_REPOSITORY, HttpPeerDecisions],
      useFactory: (peerSends: PeerSendRepository, assignments: RegionAssignmentRepository, peers: HttpPeerDecisions) =>
        new SendFence({ config: sendFenceConfigFromEnv(), peerSends, assignments, peers }),
    },
  ],
  exports: [SendLedger, SendFence, SEND_RECONCILE_CONFIG],
})
export class ChannelKitModule {}
