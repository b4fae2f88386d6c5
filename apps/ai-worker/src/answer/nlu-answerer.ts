import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { AiRequest } from '@omni/contracts';
import { MEDIA_STORE, type MediaStore } from '@omni/channel-kit';
import { NluAnalysis, createRedactor } from '@omni/nlu';
import { TenantModel, TenantModels } from '../nlu/tenant-models';
import { ANSWER_DRAFTER, AnswerDrafter } from './answer-drafter.port';
import type { Answerer, Understanding } from './answerer.port';
import { MEDIA_FOR_A_PERSON, mediaNote, neutralReply, noBotNote, nothingToRead } from './media-notes';
import { TenantFallbacks } from './tenant-fallbacks';
import { TRANSCRIBER, Transcriber } from './transcriber.port';
import { VoiceNotes } from './voice-notes';

const MAX_REASONS = 20;
const MAX_REASON = 512;
const MAX_ALTERNATIVES = 10;

/**
 * The AI worker's answerer: the tenant's @omni/nlu model (language, intent with abstain, entities,
 * sentiment, a KB answer in the customer's language) and, only when one is configured, an
 * OpenAI-compatible model that rewrites the KB answer for the message. Personal data is replaced by
 * placeholders before the provider sees anything, and any provider failure keeps the offline answer.
 */
@Injectable()
export class NluAnswerer implements Answerer {
  private readonly logger = new Logger(NluAnswerer.name);

  private readonly voice: VoiceNotes | null;

  constructor(
    private readonly models: TenantModels,
    private readonly fallbacks: TenantFallbacks,
    @Optional() @Inject(ANSWER_DRAFTER) private readonly drafter?: AnswerDrafter,
    @Optional() @Inject(TRANSCRIBER) transcriber?: Transcriber | null,
    @Optional() @Inject(MEDIA_STORE) media?: MediaStore | null,
  ) {
    this.voice = transcriber && media ? new VoiceNotes(transcriber, media) : null;
  }

  async understand(request: AiRequest): Promise<Understanding> {
    const model = await this.models.forTenant(request.tenantId);
    if (!model) return this.fallback(request);
    const text = request.text.trim();
    if (!text) {
      const heard = this.voice && request.messageType === 'audio' ? await this.voice.transcribe(request) : null;
      if (!heard || 'failure' in heard) return this.withoutText(request, model, heard?.failure);
      return this.fromText(request, model, heard.transcript, { transcript: heard.transcript, reason: heard.reason });
    }
    return this.fromText(request, model, text);
  }

  /** The pipeline on the message's text, or on a voice note's transcript (then recorded with the result). */
  private async fromText(request: AiRequest, model: TenantModel, text: string, voice?: { transcript: string; reason: string }): Promise<Understanding> {
    const analysis = model.engine.analyze(text, { previousLanguage: prior(request, text) });
    const understanding: Understanding & { reasons: string[] } = toUnderstanding(analysis, `omni-nlu:${model.id}`);
    if (voice) {
      understanding.reasons.unshift(voice.reason);
      understanding.transcript = voice.transcript.slice(0, 8192);
    } else if (request.messageType !== 'text') understanding.reasons.push(`the ${request.messageType} itself was not read, only its text`);
    const drafted = this.drafter ? await this.draft(this.drafter, request, analysis, understanding) : understanding;
    return { ...drafted, reasons: drafted.reasons.slice(0, MAX_REASONS).map((r) => r.slice(0, MAX_REASON)) };
  }

  /**
   * A message without text: media a person must open (handoff), or nothing to act on (ask).
   * `unheard`: why a configured transcription provider could not read this voice note.
   */
  private withoutText(request: AiRequest, model: TenantModel, unheard?: string): Understanding {
    const hinted = prior(request, '');
    const { languages, defaultLanguage } = model.engine.options;
    const language = hinted && languages.includes(hinted) ? hinted : defaultLanguage;
    const base = { intent: null, alternatives: [], entities: [], abstained: true, engine: `omni-nlu:${model.id}` };
    if (MEDIA_FOR_A_PERSON.has(request.messageType)) {
      const note = mediaNote(language);
      const reason = unheard
        ? `audio message without text that could not be transcribed (${unheard}): a person needs to listen to it`
        : `${request.messageType} message without text and no provider configured to read it: a person needs to open it`;
      return { ...base, language, answer: { text: note.text }, reasons: [reason], handoff: { reason } };
    }
    const ask = nothingToRead(language);
    return { ...base, language, answer: { text: ask.text }, reasons: [`no text in a ${request.messageType} message`] };
  }

  /**
   * A tenant without NLU data of its own (and not the demo shop's): never another company's
   * answers — its fallback, in the customer's language: a person takes over (handoff), or a neutral
   * message that says nothing about the business (message). Nothing is classified.
   */
  private async fallback(request: AiRequest): Promise<Understanding> {
    const mode = await this.fallbacks.of(request.tenantId);
    const language = this.models.languageOf(request.text.trim(), prior(request, request.text));
    const base = { language, intent: null, alternatives: [], entities: [], abstained: true, engine: 'omni-nlu:none' };
    if (mode === 'message') {
      const reply = neutralReply(language);
      return { ...base, answer: { text: reply.text }, reasons: ['the tenant has no NLU data of its own: its fallback, a neutral message'] };
    }
    const reason = 'the tenant has no NLU data of its own: its fallback hands the conversation to a person';
    return { ...base, answer: { text: noBotNote(language).text }, reasons: [reason], handoff: { reason } };
  }

  private async draft(drafter: AnswerDrafter, request: AiRequest, a: NluAnalysis, u: Understanding): Promise<Understanding> {
    const answer = a.answer;
    if (a.abstained || !answer || (answer.kind !== 'article' && answer.kind !== 'search') || !u.intent) return u;
    const redactor = createRedactor(a.entities, { now: new Date() });
    try {
      const draft = await drafter.draft({
        tenantId: request.tenantId,
        language: a.language,
        intent: u.intent.name,
        customerText: redactor.redact(a.text),
        article: redactor.redact(answer.text),
      });
      const text = redactor.restore(draft).trim().slice(0, 8192);
      if (!text) throw new Error('empty draft');
      return {
        ...u,
        answer: { text, ...(answer.articleId ? { articleId: answer.articleId } : {}) },
        reasons: [...u.reasons, `answer: drafted by ${drafter.name} from KB article ${answer.articleId ?? '?'}, personal data redacted`],
      };
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      this.logger.warn({ conversationId: request.conversationId, err: why }, 'provider draft failed, offline answer used');
      return { ...u, reasons: [...u.reasons, `answer: ${drafter.name} unavailable (${why}), offline KB answer`] };
    }
  }
}

/**
 * The conversation's language is the prior for a short or ambiguous message; the customer's locale
 * (a browser or app setting) only for a message without letters, as it often differs from the
 * language a customer writes in.
 */
function prior(request: AiRequest, text: string): string | undefined {
  if (request.previousLanguage) return primary(request.previousLanguage);
  if (/\p{L}/u.test(text) || !request.customerLocale) return undefined;
  return primary(request.customerLocale);
}

function primary(tag: string): string {
  return tag.toLowerCase().split(/[-_]/)[0] ?? tag;
}

/**
 * @omni/nlu's analysis as the ★ AI result fields. When the engine abstains, `intent` is null (the
 * router must not act on a guess: human-only and repeated-intent rules read it) and its best guess
 * leads `alternatives`, so agents and reports still see it.
 */
export function toUnderstanding(a: NluAnalysis, engine: string): Understanding & { reasons: string[] } {
  const ranked = a.abstained ? [a.intent, ...a.alternatives] : a.alternatives;
  return {
    language: a.language,
    intent: a.abstained ? null : { name: a.intent.name, confidence: a.intent.confidence },
    alternatives: ranked.slice(0, MAX_ALTERNATIVES).map((x) => ({ name: x.name, confidence: x.confidence })),
    entities: a.entities.slice(0, 100).map((e) => ({ type: e.type, value: e.value, start: e.start, end: e.end })),
    sentiment: { score: Math.max(-1, Math.min(1, a.sentiment.score)), label: a.sentiment.label, escalate: a.sentiment.escalate },
    answer: a.answer ? { text: a.answer.text.slice(0, 8192), ...(a.answer.articleId ? { articleId: a.answer.articleId } : {}) } : null,
    abstained: a.abstained,
    reasons: [...a.reasons, ...(a.answer ? [`answer: ${a.answer.kind}${a.answer.articleId ? ` ${a.answer.articleId}` : ''} in ${a.answer.language}`] : [])],
    engine,
  };
}
