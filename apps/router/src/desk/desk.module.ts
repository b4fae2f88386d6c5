import { Global, Module } from '@nestjs/common';
import { MediaModule } from '../media/media.module';
import { AssignConversationUseCase } from './assign-conversation.use-case';
import { DeskCollaboration } from './collaboration';
import { ConversationLookup } from './conversation-lookup';
import { CorrectIntentUseCase } from './correct-intent.use-case';
import { ReplyToCustomerUseCase } from './reply-to-customer.use-case';
import { ResolveConversationUseCase } from './resolve-conversation.use-case';
import { TransferToQueueUseCase } from './transfer-to-queue.use-case';

const USE_CASES = [ConversationLookup, ReplyToCustomerUseCase, ResolveConversationUseCase, AssignConversationUseCase, TransferToQueueUseCase, CorrectIntentUseCase, DeskCollaboration];

/**
 * What people (and integrations) do to a conversation: one use case per state change, used by the
 * REST and gRPC controllers, the idle resolver and the workflows alike. Controllers stay in `api/`
 * and `grpc/`; the guard comes from libs/auth.
 */
@Global()
@Module({ imports: [MediaModule], providers: USE_CASES, exports: USE_CASES })
export class DeskModule {}
