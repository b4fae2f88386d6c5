import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { SendLedger, SendOutcomeSchema, SendSchema } from './send-ledger';

/** The send ledger for a channel app (needs PersistenceModule.forRoot for the connection). */
@Module({
  imports: [MongooseModule.forFeature([{ name: 'Send', schema: SendSchema }, { name: 'SendOutcome', schema: SendOutcomeSchema }])],
  providers: [SendLedger],
  exports: [SendLedger],
})
export class ChannelKitModule {}
