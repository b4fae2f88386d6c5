import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CloudEvent, InboundMessage, TOPICS } from '@omni/contracts';
import { type DecodeResult, hubSignature } from '@omni/channels';
import type { EventPublisher } from '@omni/messaging';
import { MessengerConfigSchema } from '../config';
import { ReceiveMessengerWebhookUseCase } from './receive-messenger-webhook.use-case';
import type { MessengerStatusResolver } from './status-resolver';

const SECRET = 'unit-app-secret';
const config = MessengerConfigSchema.parse({
  MESSENGER_VERIFY_TOKEN: 'unit-verify-token', MESSENGER_APP_SECRET: SECRET, MESSENGER_PAGE_ACCESS_TOKEN: 'unit-page-token', MESSENGER_PAGE_ID: '104567891234567',
});

function setup(failPublish = false) {
  const published: { topic: string; events: CloudEvent[] }[] = [];
  const publisher = {
    publish: async (topic: string, events: CloudEvent | CloudEvent[]) => {
      if (failPublish) throw new Error('broker down');
      published.push({ topic, events: Array.isArray(events) ? events : [events] });
    },
  } as unknown as EventPublisher;
  // Statuses pass through unchanged here; the resolver has its own spec.
  const statuses = { resolve: async (r: DecodeResult) => r } as unknown as MessengerStatusResolver;
  const useCase = new ReceiveMessengerWebhookUseCase(config, publisher, statuses);
  const signed = (raw: string) => ({ rawBody: Buffer.from(raw), signature: hubSignature(raw, SECRET) });
  const events = (topic: string) => published.filter((p) => p.topic === topic).flatMap((p) => p.events);
  return { useCase, signed, events };
}

describe('ReceiveMessengerWebhookUseCase', () => {
  const batched = readFileSync(resolve(__dirname, '../../../../libs/channels/fixtures/messenger/batched.json'), 'utf8');

  it('publishes every event of our Page in a batched webhook and reports the other Page as ignored', async () => {
    const { useCase, signed, events } = setup();
    const n = await useCase.execute(signed(batched));
    expect(n.messages + n.statuses).toBeGreaterThanOrEqual(3);
    expect(n.ignored).toBeGreaterThanOrEqual(1);
    const inbound = events(TOPICS.inbound) as CloudEvent<InboundMessage>[];
    expect(inbound).toHaveLength(n.messages);
    expect(inbound.every((e) => e.data.accountId === '104567891234567')).toBe(true);
  });

  it('rejects a missing or wrong signature and produces nothing', async () => {
    const { useCase, events } = setup();
    await expect(useCase.execute({ rawBody: Buffer.from(batched), signature: undefined })).rejects.toMatchObject({ code: 'signature_invalid' });
    await expect(useCase.execute({ rawBody: Buffer.from(batched), signature: hubSignature(batched, 'x') })).rejects.toMatchObject({ code: 'signature_invalid' });
    expect(events(TOPICS.inbound)).toHaveLength(0);
  });

  it('names the problem of a malformed body and turns a failed publish into a retryable error', async () => {
    await expect(setup().useCase.execute(setup().signed('{"object":"whatsapp_business_account"}'))).rejects.toMatchObject({ code: 'validation_failed' });
    const failing = setup(true);
    await expect(failing.useCase.execute(failing.signed(batched))).rejects.toMatchObject({ code: 'publish_failed', retryable: true });
  });
});
