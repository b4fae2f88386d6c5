import type { OutboundCommand } from '@omni/contracts';

type Overrides = Omit<Partial<OutboundCommand>, 'message'> & { message?: Partial<OutboundCommand['message']> };

/** Factory of valid outbound commands for encoder specs (STYLE.md §12: factories over dumps). */
export function outboundCommand(overrides: Overrides = {}): OutboundCommand {
  const { message, ...rest } = overrides;
  return {
    tenantId: 't1',
    region: 'eu-1',
    channel: 'whatsapp',
    accountId: 'acc-1',
    conversationId: 'conv-1',
    messageId: 'msg-0001',
    recipient: { channelUserId: '16505551234' },
    author: { kind: 'bot' },
    createdAt: '2026-06-10T12:00:00.000Z',
    ...rest,
    message: { type: 'text', attachments: [], ...message },
  };
}
