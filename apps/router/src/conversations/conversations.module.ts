import { Global, Module } from '@nestjs/common';
import { ConversationEvents } from './conversation-events';
import { CustomerMessages } from './customer-messages';
import { OwnershipStore } from './ownership.store';
import { TenantSettings } from './tenant-settings';

@Global()
@Module({
  providers: [ConversationEvents, CustomerMessages, TenantSettings, OwnershipStore],
  exports: [ConversationEvents, CustomerMessages, TenantSettings, OwnershipStore],
})
export class ConversationsModule {}
