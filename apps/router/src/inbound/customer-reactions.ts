import { Inject, Injectable, Logger } from '@nestjs/common';
import type { InboundMessage } from '@omni/contracts';
import { BOT_TURN_REPOSITORY, BotTurnRepository, CONVERSATION_REPOSITORY, ConversationRepository, MESSAGE_REPOSITORY, MessageRepository } from '@omni/persistence';
import { reactionVerdict } from '@omni/routing';
import { AiOutcomes } from '../conversations/ai-outcomes';

export type ReactionResult = 'recorded' | 'no_verdict' | 'not_a_bot_answer';

/**
 * A customer's reaction is never a question for the bot: it is stored with the conversation (done by
 * the caller) and, when it is a clear 👍/👎 on one of the bot's answers, becomes the customer's
 * verdict on that answer — on the bot turn, where the handoff policy's `thumbs_down` signal reads it,
 * and as an `omni.ai.outcome.v1` thumbs outcome for the AI worker's prediction log (the NLU report).
 * Both writes are idempotent (`$set`, derived event id), so a redelivered reaction changes nothing.
 */
@Injectable()
export class CustomerReactions {
  private readonly logger = new Logger(CustomerReactions.name);

  constructor(
    @Inject(MESSAGE_REPOSITORY) private readonly messages: MessageRepository,
    @Inject(BOT_TURN_REPOSITORY) private readonly turns: BotTurnRepository,
    @Inject(CONVERSATION_REPOSITORY) private readonly conversations: ConversationRepository,
    private readonly outcomes: AiOutcomes,
  ) {}

  async handle(m: InboundMessage, reactionId: string): Promise<ReactionResult> {
    const reaction = m.message.reaction;
    const verdict = reactionVerdict(reaction?.emoji);
    if (!reaction || !verdict) return 'no_verdict';
    const target = await this.messages.reactedTo(m.conversationId, reaction.targetMessageId);
    // Reactions to the customer's own messages, to agents' replies or to unknown ids say nothing about the bot.
    if (!target || target.author.kind !== 'bot' || !target.replyToMessageId) {
      this.logger.debug({ conversationId: m.conversationId, reactionId, found: Boolean(target) }, 'reaction not on a bot answer: no verdict recorded');
      return 'not_a_bot_answer';
    }
    const answered = target.replyToMessageId;
    await this.turns.setFeedback(m.tenantId, answered, verdict);
    // The reply step's copy of the recent turns does not have the verdict: counted, it reads them again.
    await this.conversations.turnsChanged(m.conversationId);
    const scope = { tenantId: m.tenantId, region: m.region, channel: m.channel, accountId: m.accountId, conversationId: m.conversationId };
    await this.outcomes.thumbs(scope, answered, verdict, reactionId, new Date(m.message.timestamp));
    return 'recorded';
  }
}
