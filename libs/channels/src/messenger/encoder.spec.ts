import { FatalError, ValidationError } from '@omni/contracts';
import { outboundCommand } from '../testing/commands';
import { MESSENGER_CAPABILITIES, canSendMessengerFreeText } from './capabilities';
import { encodeMessenger } from './encoder';

const NOW = new Date('2026-06-10T12:00:00Z');
const within = { lastCustomerMessageAt: new Date(NOW.getTime() - 3_600_000), now: NOW };
const after30h = { lastCustomerMessageAt: new Date(NOW.getTime() - 30 * 3_600_000), now: NOW };
const cmd = (o: Parameters<typeof outboundCommand>[0] = {}) => outboundCommand({ channel: 'messenger', recipient: { channelUserId: '6543210987654321' }, ...o });
const cfg = { apiVersion: 'v23.0' };

describe('encodeMessenger', () => {
  it('sends a RESPONSE within 24 h to the Send API', () => {
    expect(encodeMessenger(cmd({ message: { text: 'Hi!' } }), cfg, within)).toEqual([{
      method: 'POST', path: '/v23.0/me/messages', headers: { 'content-type': 'application/json' },
      body: { recipient: { id: '6543210987654321' }, messaging_type: 'RESPONSE', message: { text: 'Hi!', metadata: 'msg-0001' } },
    }]);
  });

  it('tags a human agent reply after 24 h with HUMAN_AGENT, and refuses a bot', () => {
    const [req] = encodeMessenger(cmd({ author: { kind: 'agent', id: 'ag-1' }, message: { text: 'Sorry for the wait' } }), cfg, after30h);
    expect(req.body).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
    expect(() => encodeMessenger(cmd({ message: { text: 'bot' } }), cfg, after30h)).toThrow(FatalError);
    const eightDays = { lastCustomerMessageAt: new Date(NOW.getTime() - 8 * 24 * 3_600_000), now: NOW };
    expect(() => encodeMessenger(cmd({ author: { kind: 'agent' }, message: { text: 'late' } }), cfg, eightDays)).toThrow(/outside|only|refuses/);
  });

  it('encodes attachments by url or attachment id, then text with quick replies', () => {
    const reqs = encodeMessenger(cmd({
      message: {
        type: 'image', text: 'Which size?', buttons: [{ id: 'S', title: 'Small' }, { id: 'L', title: 'Large' }],
        attachments: [{ kind: 'image', mime: 'image/png', url: 'https://cdn.example.com/a.png' }, { kind: 'document', mime: 'application/pdf', mediaId: '987' }],
      },
    }), cfg, within);
    expect(reqs.map((r) => r.body.message)).toEqual([
      { attachment: { type: 'image', payload: { url: 'https://cdn.example.com/a.png', is_reusable: true } }, metadata: 'msg-0001' },
      { attachment: { type: 'file', payload: { attachment_id: '987' } }, metadata: 'msg-0001' },
      { text: 'Which size?', quick_replies: [{ content_type: 'text', title: 'Small', payload: 'S' }, { content_type: 'text', title: 'Large', payload: 'L' }], metadata: 'msg-0001' },
    ]);
  });

  it('splits text at the 2000-character limit', () => {
    const reqs = encodeMessenger(cmd({ message: { text: 'word '.repeat(900) } }), cfg, within);
    expect(reqs).toHaveLength(3);
    expect(reqs.every((r) => ((r.body.message as { text: string }).text.length <= MESSENGER_CAPABILITIES.maxTextLength))).toBe(true);
  });

  it('refuses what Messenger cannot send', () => {
    expect(() => encodeMessenger(cmd({ message: { template: { name: 't', language: 'en', params: [] } } }), cfg, within)).toThrow(ValidationError);
    expect(() => encodeMessenger(cmd({ message: { type: 'reaction', text: 'x' } }), cfg, within)).toThrow(ValidationError);
    expect(() => encodeMessenger(cmd({ message: { type: 'image', buttons: [{ id: 'a', title: 'A' }], attachments: [{ kind: 'image', mime: 'image/png', mediaId: '1' }] } }), cfg, within)).toThrow(/quick replies need a text/);
  });
});

describe('canSendMessengerFreeText', () => {
  it('is the Messenger window: RESPONSE, HUMAN_AGENT for agents, refused for bots', () => {
    expect(canSendMessengerFreeText(within.lastCustomerMessageAt, NOW, 'bot')).toEqual({ kind: 'allowed' });
    expect(canSendMessengerFreeText(after30h.lastCustomerMessageAt, NOW, 'agent').kind).toBe('needs-human-agent-tag');
    expect(canSendMessengerFreeText(after30h.lastCustomerMessageAt, NOW, 'bot').kind).toBe('refused');
  });
});
