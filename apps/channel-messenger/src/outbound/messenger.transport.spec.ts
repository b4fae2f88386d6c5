import { OutboundCommand, RetryableError } from '@omni/contracts';
import { GraphApiServer, startGraphApiServer } from '../../../../test/contract-servers/graph-api';
import { MessengerTransport } from './messenger.transport';

const NOW = new Date('2026-06-10T12:00:00Z');
const HOUR = 3_600_000;
const PAGE = '104567891234567';
/** A second Page, of another tenant, with its own token. */
const PAGE2 = '109876543210123';
const TOKENS: Record<string, string> = { [PAGE]: 'page-token-1', [PAGE2]: 'page-token-of-the-second-page' };

function command(author: OutboundCommand['author']['kind'] = 'bot', overrides: Partial<OutboundCommand> = {}): OutboundCommand {
  return {
    tenantId: 'default', region: 'local', channel: 'messenger', accountId: PAGE, conversationId: 'conv-1', messageId: 'msg-1',
    recipient: { channelUserId: '6543210987654321' }, author: { kind: author }, createdAt: NOW.toISOString(),
    message: { type: 'text', text: 'We are on it', attachments: [] },
    ...overrides,
  };
}

describe('MessengerTransport', () => {
  let graph: GraphApiServer;
  let lastInbound: Date | undefined;

  const transport = () =>
    new MessengerTransport(
      { MESSENGER_API_BASE_URL: graph.url, MESSENGER_API_VERSION: 'v23.0', MESSENGER_HTTP_TIMEOUT_MS: 500 },
      { lastInboundAt: async () => lastInbound },
      { accessTokenFor: async (id) => TOKENS[id] },
      () => NOW,
    );
  const ago = (hours: number) => new Date(NOW.getTime() - hours * HOUR);
  const body = (i = 0) => graph.requests[i].body as Record<string, unknown>;

  beforeAll(async () => {
    graph = await startGraphApiServer({ pageTokens: TOKENS });
  });
  afterAll(() => graph.close());
  beforeEach(() => graph.reset());

  it('answers within 24 h as RESPONSE, with our id in metadata and the token in a header, never the URL', async () => {
    lastInbound = ago(2);
    const out = await transport().send(command('bot', { replyToMessageId: 'our-inbound-id' }));
    expect(out.providerMessageId).toMatch(/^m_/);
    expect(graph.requests[0].path).toBe('/v23.0/me/messages');
    expect(graph.requests[0].headers.authorization).toBe('Bearer page-token-1');
    expect(body()).toEqual({ recipient: { id: '6543210987654321' }, messaging_type: 'RESPONSE', message: { text: 'We are on it', metadata: 'msg-1' } });
  });

  it('sends each command with the token of its own Page, and refuses a Page nobody connected without calling Meta', async () => {
    lastInbound = ago(1);
    await transport().send(command('bot', { accountId: PAGE2, tenantId: 'globex', messageId: 'msg-b' }));
    await transport().send(command('bot', { messageId: 'msg-a' }));
    expect(graph.requests.map((r) => [r.headers.authorization, r.status])).toEqual([['Bearer page-token-of-the-second-page', 200], ['Bearer page-token-1', 200]]);
    await expect(transport().send(command('bot', { accountId: '100000000000999', messageId: 'msg-c' }))).rejects.toMatchObject({ code: 'unknown_account', retryable: false });
    expect(graph.requests).toHaveLength(2);
  });

  it('lets a human agent answer after 24 h with the HUMAN_AGENT tag', async () => {
    lastInbound = ago(30);
    await transport().send(command('agent'));
    expect(body()).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
  });

  it('refuses the bot after 24 h and anyone after 7 days, without calling Meta', async () => {
    lastInbound = ago(30);
    await expect(transport().send(command('bot'))).rejects.toMatchObject({ code: 'outside_window', retryable: false });
    lastInbound = ago(24 * 8);
    await expect(transport().send(command('agent'))).rejects.toMatchObject({ code: 'outside_window' });
    lastInbound = undefined;
    await expect(transport().send(command('bot'))).rejects.toMatchObject({ code: 'outside_window' });
    expect(graph.requests).toHaveLength(0);
  });

  it('maps Meta’s window error (10 / 2018278) to outside_window and its throttling to a retry with the wait', async () => {
    lastInbound = ago(1);
    graph.inject({ kind: 'error-code', code: 10, subcode: 2018278, status: 400 });
    await expect(transport().send(command())).rejects.toMatchObject({ code: 'outside_window', retryable: false });
    graph.inject({ kind: 'throttle', code: 613, retryAfterSeconds: 3 });
    const err = await transport().send(command()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).toMatchObject({ code: 'rate_limited', retryAfterMs: 3_000 });
  });

  it('resumes a split text after a retryable failure without resending the accepted part', async () => {
    lastInbound = ago(1);
    const t = transport();
    const long = `${'a'.repeat(1900)}\n\n${'b'.repeat(1500)}`;
    graph.inject({ kind: 'delay', ms: 0 });
    graph.inject({ kind: 'server-error', status: 500 });
    await expect(t.send(command('bot', { message: { type: 'text', text: long, attachments: [] } }))).rejects.toBeInstanceOf(RetryableError);
    await t.send(command('bot', { message: { type: 'text', text: long, attachments: [] } }));
    expect(graph.requests.map((r) => ((r.body as { message: { text: string } }).message.text)[0])).toEqual(['a', 'b', 'b']);
  });

  it('is reconcilable by its echo (our id in metadata) for a send of one request only (issue 13)', () => {
    const t = transport();
    expect(t.reconcilable(command())).toBe(true);
    expect(t.reconcilable(command('bot', { message: { type: 'text', text: 'x'.repeat(2_500), attachments: [] } }))).toBe(false);
    expect(t.reconcilable(command('agent', { message: { type: 'text', text: 'see the file', attachments: [{ kind: 'image', mime: 'image/png', url: 'https://cdn.example.com/a.png' }] } }))).toBe(false);
    expect(t.reconcilable(command('bot', { messageId: 'm'.repeat(1_001) }))).toBe(false);
    expect(t.reconcilable(command('bot', { message: { type: 'text', attachments: [] } }))).toBe(false);
  });

  it('refuses a command for a page it does not serve', async () => {
    await expect(transport().send(command('bot', { accountId: '1' }))).rejects.toMatchObject({ code: 'unknown_account' });
  });

  it('sends an agent’s files as Send API attachments by URL (the stored file by its signed link), then the text', async () => {
    lastInbound = ago(30); // a human agent after 24 h: HUMAN_AGENT tag
    const link = `https://gateway.example.test/media-links/default/${'a'.repeat(64)}?exp=1781092800&sig=${'b'.repeat(64)}`;
    await transport().send(command('agent', {
      message: {
        type: 'document', text: 'Your invoice',
        attachments: [{ kind: 'document', mime: 'application/pdf', storeId: 'a'.repeat(64), url: link, filename: 'invoice.pdf' }, { kind: 'image', mime: 'image/png', url: 'https://cdn.example.com/map.png' }],
      },
    }));
    expect(graph.requests.map((r) => (r.body as { message: unknown }).message)).toEqual([
      { attachment: { type: 'file', payload: { url: link, is_reusable: true } }, metadata: 'msg-1' },
      { attachment: { type: 'image', payload: { url: 'https://cdn.example.com/map.png', is_reusable: true } }, metadata: 'msg-1' },
      { text: 'Your invoice', metadata: 'msg-1' },
    ]);
    expect(body()).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
  });
});
