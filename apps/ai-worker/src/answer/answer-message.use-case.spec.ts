import { AiRequest, AiResult, CloudEvent, TOPICS, createEvent } from '@omni/contracts';
import type { EventPublisher } from '@omni/messaging';
import type { NluPredictionDoc, NluPredictionRepository } from '@omni/persistence';
import { PredictionLog } from '../nlu/prediction-log';
import { aRequest } from '../testing';
import { AnswerMessageUseCase } from './answer-message.use-case';
import type { Answerer, Understanding } from './answerer.port';

function newTestUseCase() {
  const understanding: Understanding = {
    language: 'en', intent: { name: 'order_status', confidence: 0.9 }, alternatives: [], entities: [], answer: { text: 'Your order is on its way.' }, abstained: false, reasons: [], engine: 'nlu-v1',
  };
  const answerer: Answerer = { understand: async () => understanding };
  const published: CloudEvent<AiResult>[] = [];
  const publisher = { publish: async (topic: string, e: CloudEvent<AiResult>) => { if (topic === TOPICS.aiResult) published.push(e); } } as unknown as EventPublisher;
  const recorded: NluPredictionDoc[] = [];
  const predictions = { record: async (d: NluPredictionDoc) => { recorded.push(d); return true; } } as unknown as NluPredictionRepository;
  return { useCase: new AnswerMessageUseCase(answerer, publisher, new PredictionLog(predictions)), published, recorded };
}

const requestEvent = (req: AiRequest) => createEvent({ type: 'omni.ai.requested.v1', id: 'req-1', source: '/router', subject: req.conversationId, tenantId: req.tenantId, region: req.region, data: req });

describe('AnswerMessageUseCase', () => {
  it('hands the router its conversation facts and the text back on the result, so the reply step reads nothing back', async () => {
    const s = newTestUseCase();
    const conversation = { customerId: 'c-1', channelUserId: 'visitor-1', state: 'bot' as const, createdAt: '2026-12-07T04:00:00.000Z', version: 2, language: 'en' };
    await s.useCase.execute(requestEvent(aRequest('where is my order?', { conversation })));

    expect(s.published).toHaveLength(1);
    expect(s.published[0].data.request).toEqual({ conversation, text: 'where is my order?' });
    expect(s.recorded.map((r) => r._id)).toEqual(['m-1']);
  });

  it('adds nothing for a request without them', async () => {
    const s = newTestUseCase();
    await s.useCase.execute(requestEvent(aRequest('hello')));
    expect(s.published[0].data).not.toHaveProperty('request');
  });

  it('passes a newcomer\'s mark on to the result, and marks nothing else (ADR 0012)', async () => {
    const s = newTestUseCase();
    await s.useCase.execute({ ...requestEvent(aRequest('hello')), freshat: '2026-12-07T10:00:00.000Z' });
    await s.useCase.execute(requestEvent(aRequest('hello again')));
    expect(s.published.map((e) => e.freshat)).toEqual(['2026-12-07T10:00:00.000Z', undefined]);
  });
});
