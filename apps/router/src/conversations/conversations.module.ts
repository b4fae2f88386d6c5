import { Global, Module } from '@nestjs/common';
import { AiOutcomes } from './ai-outcomes';
import { ConversationEvents } from './conversation-events';
import { CustomerMessages } from './customer-messages';
import { OwnershipStore } from './ownership.store';
import { TenantSettings } from './tenant-settings';

@Global()
@Module({
  providers: [AiOutcomes, ConversationEvents, CustomerMessages, TenantSettings, OwnershipStore],
  exports: [AiOutcomes, ConversationEvents, CustomerMessages, TenantSettings, OwnershipStore],
})
export class ConversationsModule {}
