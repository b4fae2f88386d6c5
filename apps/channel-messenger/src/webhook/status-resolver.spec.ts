import { DeliveryStatus } from '@omni/contracts';
import type { DecodeResult } from '@omni/channels';
import type { SendDoc, SendLedger } from '@omni/channel-kit';
import type { MessageDoc, MessageRepository } from '@omni/persistence';
import { MessengerStatusResolver } from './status-resolver';

const base = { tenantId: 't', region: 'local', channel: 'messenger' as const, accountId: 'page-1', conversationId: 'conv-1', timestamp: '2026-06-10T12:00:10.000Z' };
const status = (s: Partial<DeliveryStatus>): DeliveryStatus => ({ ...base, messageId: 'x', status: 'delivered', ...s });
const outbound = (id: string, mid: string | undefined, at: string, rank = 1): MessageDoc =>
  ({ _id: id, direction: 'outbound', providerMessageId: mid, timestamp: new Date(at), statusRank: rank }) as unknown as MessageDoc;

function resolver(history: MessageDoc[], sends: Record<string, string>, failing = false) {
  const ledger = {
    byProviderId: async (_c: string, _a: string, mid: string) => {
      if (failing) throw new Error('db down');
      return sends[mid] ? ({ _id: sends[mid] } as SendDoc) : null;
    },
  } as unknown as SendLedger;
  const messages = { history: async () => history } as unknown as MessageRepository;
  return new MessengerStatusResolver(ledger, messages);
}
const result = (statuses: DeliveryStatus[]): DecodeResult => ({ messages: [], statuses, ignored: [] });

describe('MessengerStatusResolver', () => {
  it('maps a delivered mid to our message id through the send ledger', async () => {
    const out = await resolver([], { m_1: 'ours-1' }).resolve(result([status({ messageId: 'm_1', channelMessageId: 'm_1' })]));
    expect(out.statuses).toEqual([expect.objectContaining({ messageId: 'ours-1', channelMessageId: 'm_1' })]);
  });

  it('turns a read watermark into a status for each reply sent up to it and not read yet', async () => {
    const history = [
      outbound('r1', 'm_1', '2026-06-10T12:00:00Z'),
      outbound('r2', 'm_2', '2026-06-10T12:00:05Z', 3), // already read
      outbound('r3', 'm_3', '2026-06-10T12:00:20Z'), // after the watermark
      outbound('r4', undefined, '2026-06-10T12:00:01Z'), // never sent
    ];
    const watermark = Date.parse('2026-06-10T12:00:08Z');
    const out = await resolver(history, {}).resolve(result([status({ messageId: `watermark:${watermark}`, status: 'read' })]));
    expect(out.statuses.map((s) => [s.messageId, s.channelMessageId, s.status])).toEqual([['r1', 'm_1', 'read']]);
  });

  it('reports statuses of messages the gateway did not send as ignored', async () => {
    const out = await resolver([], {}).resolve(result([status({ messageId: 'm_9', channelMessageId: 'm_9' })]));
    expect(out.statuses).toHaveLength(0);
    expect(out.ignored).toEqual([{ reason: 'delivered for a message the gateway did not send', ref: 'm_9' }]);
  });

  it('makes a failing lookup retryable (the webhook answers 503)', async () => {
    await expect(resolver([], {}, true).resolve(result([status({ messageId: 'm_1', channelMessageId: 'm_1' })]))).rejects.toMatchObject({ code: 'store_unavailable', retryable: true });
  });
});
