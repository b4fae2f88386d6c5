import type { OutboundCommand } from '@omni/contracts';
import type { ConversationDoc, ConversationRepository, MessageDoc, MessageRepository } from '@omni/persistence';
import { StoredSendContext } from './conversation-context';

function newTestContext() {
  const reads: string[] = [];
  const at = new Date('2026-12-07T05:00:00.000Z');
  const conversation = { _id: 'conv-1', lastInboundAt: at, language: 'es' } as ConversationDoc;
  const quoted = { _id: 'in-1', conversationId: 'conv-1', direction: 'inbound', channelMessageId: 'wamid.IN1' } as MessageDoc;
  const conversations = { get: async (id: string) => { reads.push(`conversation ${id}`); return conversation; } } as unknown as ConversationRepository;
  const messages = { get: async (id: string) => { reads.push(`message ${id}`); return id === quoted._id ? quoted : null; } } as unknown as MessageRepository;
  return { reader: new StoredSendContext(conversations, messages, { of: async () => ({}) }), reads, at };
}

const command = (extra: Partial<OutboundCommand> = {}): OutboundCommand => ({
  tenantId: 't1', region: 'local', channel: 'whatsapp', accountId: 'acc-1', conversationId: 'conv-1', messageId: 'out-1',
  recipient: { channelUserId: '34600111222' }, author: { kind: 'bot' }, message: { type: 'text', text: 'hola', attachments: [] },
  replyToMessageId: 'in-1', createdAt: '2026-12-07T05:00:01.000Z', ...extra,
});

describe('StoredSendContext', () => {
  it('takes the window, language and quote from the command when the router passed them, reading nothing', async () => {
    const s = newTestContext();
    const ctx = await s.reader.read(command({ context: { lastInboundAt: '2026-12-07T05:00:00.000Z', locale: 'pt', quotedChannelMessageId: 'wamid.X' } }));
    expect(ctx).toEqual({ lastInboundAt: s.at, locale: 'pt', replyToProviderId: 'wamid.X' });
    expect(s.reads).toEqual([]);
  });

  it('reads what the router stored when the command carries nothing (an agent\'s reply)', async () => {
    const s = newTestContext();
    expect(await s.reader.read(command())).toEqual({ lastInboundAt: s.at, locale: 'es', replyToProviderId: 'wamid.IN1' });
    expect(s.reads).toEqual(['conversation conv-1', 'message in-1']);
  });

  it('reads only the missing part', async () => {
    const s = newTestContext();
    await s.reader.read(command({ context: { lastInboundAt: '2026-12-07T05:00:00.000Z', locale: 'es' } }));
    expect(s.reads).toEqual(['message in-1']);
  });
});
