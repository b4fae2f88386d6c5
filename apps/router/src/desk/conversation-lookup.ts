import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError } from '@omni/contracts';
import { CONVERSATION_REPOSITORY, ConversationDoc, ConversationRepository } from '@omni/persistence';

/** A conversation as a caller of one tenant may see it: another tenant's is "not found", never "forbidden" (its existence is not leaked). */
@Injectable()
export class ConversationLookup {
  constructor(@Inject(CONVERSATION_REPOSITORY) private readonly conversations: ConversationRepository) {}

  async find(tenantId: string, id: string): Promise<ConversationDoc> {
    const c = await this.conversations.get(id);
    if (!c || c.tenantId !== tenantId) throw new NotFoundError(`conversation ${id}`);
    return c;
  }
}
