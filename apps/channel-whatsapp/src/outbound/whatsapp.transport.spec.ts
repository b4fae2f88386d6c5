import { FatalError, OutboundCommand, RetryableError } from '@omni/contracts';
import { GraphApiServer, startGraphApiServer } from '../../../../test/contract-servers/graph-api';
import type { SendContext } from './conversation-context';
import { WhatsAppTransport, WhatsAppTransportConfig } from './whatsapp.transport';

const NOW = new Date('2026-06-10T12:00:00Z');
const HOUR = 3_600_000;
const PN = '106540352242922';
/** A second number, of another tenant, with its own token. */
const PN2 = '106540352242999';
const TOKENS: Record<string, string> = { [PN]: 'token-123456', [PN2]: 'token-of-the-second-number' };

function command(overrides: Partial<OutboundCommand> = {}, text = 'Your order ships today'): OutboundCommand {
  return {
    tenantId: 'default', region: 'local', channel: 'whatsapp', accountId: PN, conversationId: 'conv-1', messageId: 'msg-1',
    recipient: { channelUserId: '16505551234' }, author: { kind: 'bot' }, createdAt: NOW.toISOString(),
    message: { type: 'text', text, attachments: [] },
    ...overrides,
  };
}

describe('WhatsAppTransport', () => {
  let graph: GraphApiServer;
  let ctx: SendContext;

  const transport = (over: Partial<WhatsAppTransportConfig> = {}) =>
    new WhatsAppTransport(
      {
        WHATSAPP_API_BASE_URL: graph.url, WHATSAPP_API_VERSION: 'v23.0',
        WHATSAPP_HTTP_TIMEOUT_MS: 500, WHATSAPP_FALLBACK_TEMPLATE: 'reengage',
        WHATSAPP_TEMPLATES: [{ name: 'reengage', language: 'es', status: 'APPROVED', bodyParams: 1 }, { name: 'reengage', language: 'en_US', status: 'APPROVED', bodyParams: 1 }],
        ...over,
      },
      { read: async () => ctx },
      { accessTokenFor: async (id) => TOKENS[id] },
      () => NOW,
    );
  const bodies = () => graph.requests.map((r) => r.body as Record<string, unknown>);

  beforeAll(async () => {
    graph = await startGraphApiServer({ numberTokens: TOKENS });
  });
  afterAll(() => graph.close());
  beforeEach(() => {
    graph.reset();
    ctx = { lastInboundAt: new Date(NOW.getTime() - HOUR) };
  });

  it('sends free text inside the 24-hour window, quoting the customer message by its wamid', async () => {
    ctx.replyToProviderId = 'wamid.CUSTOMER';
    const out = await transport().send(command({ replyToMessageId: 'our-inbound-id' }));
    expect(out.providerMessageId).toMatch(/^wamid\./);
    expect(graph.requests[0].path).toBe(`/v23.0/${PN}/messages`);
    expect(bodies()[0]).toMatchObject({ type: 'text', text: { body: 'Your order ships today' }, context: { message_id: 'wamid.CUSTOMER' }, biz_opaque_callback_data: 'msg-1' });
  });

  it('is reconciled (issue 13) for a send of one request only: a status of a split text names no part', () => {
    expect(transport().reconcilable(command())).toBe(true);
    expect(transport().reconcilable(command({}, 'x'.repeat(5_000)))).toBe(false);
    expect(transport().reconcilable(command({ message: { type: 'text', attachments: [] } }))).toBe(false); // nothing to send: never encoded
  });

  it('never quotes our own id: without a stored customer message there is no context', async () => {
    await transport().send(command({ replyToMessageId: 'our-inbound-id' }));
    expect(bodies()[0].context).toBeUndefined();
  });

  it('uses the approved template in the customer language outside the window', async () => {
    ctx = { lastInboundAt: new Date(NOW.getTime() - 25 * HOUR), locale: 'es-MX' };
    await transport().send(command({}, 'Tu pedido\nsale hoy'));
    expect(bodies()[0]).toMatchObject({
      type: 'template',
      template: { name: 'reengage', language: { code: 'es' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Tu pedido sale hoy' }] }] },
    });
  });

  it('refuses free text outside the window when no template exists, without calling Meta', async () => {
    ctx = { lastInboundAt: new Date(NOW.getTime() - 25 * HOUR) };
    const err = await transport({ WHATSAPP_TEMPLATES: [] }).send(command()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FatalError);
    expect(err).toMatchObject({ code: 'outside_window' });
    expect(graph.requests).toHaveLength(0);
  });

  it('maps re-engagement error 131047 to a permanent outside_window failure', async () => {
    graph.inject({ kind: 'error-code', code: 131047, status: 400, message: 'Re-engagement message' });
    await expect(transport().send(command())).rejects.toMatchObject({ code: 'outside_window', retryable: false, details: { providerCode: '131047' } });
  });

  it('makes throttling retryable with Meta’s wait: Retry-After, or 6 s for the pair limit', async () => {
    graph.inject({ kind: 'throttle', retryAfterSeconds: 2 });
    const throttled = await transport().send(command()).catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(RetryableError);
    expect(throttled).toMatchObject({ code: 'rate_limited', retryAfterMs: 2_000 });
    graph.inject({ kind: 'error-code', code: 131056, status: 400 });
    await expect(transport().send(command({ messageId: 'msg-2' }))).rejects.toMatchObject({ code: 'pair_rate_limited', retryAfterMs: 6_000 });
  });

  it('resumes a split text after a retryable failure without resending the parts Meta accepted', async () => {
    const long = `${'a'.repeat(4000)}\n\n${'b'.repeat(3000)}`;
    const t = transport();
    graph.inject({ kind: 'delay', ms: 0 });
    graph.inject({ kind: 'server-error', status: 500 });
    await expect(t.send(command({}, long))).rejects.toBeInstanceOf(RetryableError);
    await t.send(command({}, long));
    const texts = bodies().map((b) => (b.text as { body: string }).body[0]);
    expect(texts).toEqual(['a', 'b', 'b']);
    expect(graph.requests.map((r) => r.status)).toEqual([200, 500, 200]);
  });

  it('times out a provider that never answers as a retryable error', async () => {
    graph.inject({ kind: 'hang' });
    await expect(transport().send(command())).rejects.toMatchObject({ code: 'provider_timeout', retryable: true });
  });

  it('refuses a command for a number no tenant connected, calling nobody', async () => {
    await expect(transport().send(command({ accountId: '999' }))).rejects.toMatchObject({ code: 'unknown_account', retryable: false });
    expect(graph.requests).toHaveLength(0);
  });

  it('sends each command from its own number with that number’s token', async () => {
    await transport().send(command({ accountId: PN2, tenantId: 'globex', messageId: 'msg-b' }));
    await transport().send(command({ accountId: PN, messageId: 'msg-a' }));
    expect(graph.requests.map((r) => [r.path, r.headers.authorization, r.status])).toEqual([
      [`/v23.0/${PN2}/messages`, 'Bearer token-of-the-second-number', 200],
      [`/v23.0/${PN}/messages`, 'Bearer token-123456', 200],
    ]);
  });

  it('sends an agent’s files as Graph media messages: the stored file by its signed link, caption on the first', async () => {
    const link = `https://gateway.example.test/media-links/default/${'a'.repeat(64)}?exp=1781092800&sig=${'b'.repeat(64)}`;
    await transport().send(command({
      author: { kind: 'agent', id: 'ana' },
      message: {
        type: 'document', text: 'Your invoice',
        attachments: [
          { kind: 'document', mime: 'application/pdf', storeId: 'a'.repeat(64), url: link, filename: 'invoice.pdf' },
          { kind: 'image', mime: 'image/png', url: 'https://cdn.example.com/map.png', caption: 'our shop' },
        ],
      },
    }));
    expect(graph.requests.map((r) => r.path)).toEqual([`/v23.0/${PN}/messages`, `/v23.0/${PN}/messages`]);
    expect(bodies()[0]).toMatchObject({ type: 'document', document: { link, caption: 'Your invoice', filename: 'invoice.pdf' }, biz_opaque_callback_data: 'msg-1' });
    expect(bodies()[1]).toMatchObject({ type: 'image', image: { link: 'https://cdn.example.com/map.png', caption: 'our shop' } });
    expect(bodies()[1].document).toBeUndefined();
  });
});
