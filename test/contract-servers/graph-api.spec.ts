import { RetryableError } from '@omni/contracts';
import { encodeMessenger, encodeWhatsApp, mapMessengerError, mapWhatsAppError } from '@omni/channels';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeMessengerWebhook, decodeWhatsAppWebhook, verifyHubSignature } from '@omni/channels';
import { GraphApiServer, startGraphApiServer } from './graph-api';

const TOKEN = 'fake-access-token';
const command = {
  tenantId: 't1', region: 'eu-1', channel: 'whatsapp' as const, accountId: 'acc-1', conversationId: 'conv-1', messageId: 'msg-1',
  recipient: { channelUserId: '16505551234' }, author: { kind: 'bot' as const },
  message: { type: 'text' as const, text: 'Hello', attachments: [] }, createdAt: '2026-06-10T12:00:00.000Z',
};

describe('Graph API contract server', () => {
  let server: GraphApiServer;
  beforeEach(async () => {
    server = await startGraphApiServer({ accessToken: TOKEN });
  });
  afterEach(() => server.close());

  const post = async (path: string, body: unknown, timeoutMs = 2000) =>
    fetch(`${server.url}${path}`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs),
    });
  const sendWhatsApp = async () => {
    const [req] = encodeWhatsApp(command, { apiVersion: 'v23.0', phoneNumberId: '106540352242922' });
    return post(req.path, req.body);
  };

  it('answers the documented WhatsApp success body and records the request', async () => {
    const res = await sendWhatsApp();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ messaging_product: 'whatsapp', contacts: [{ input: '16505551234', wa_id: '16505551234' }], messages: [{ id: expect.stringMatching(/^wamid\./) }] });
    expect(server.requests).toEqual([expect.objectContaining({ method: 'POST', path: '/v23.0/106540352242922/messages', status: 200, body: expect.objectContaining({ biz_opaque_callback_data: 'msg-1' }) })]);
  });

  it('answers Messenger Send API calls', async () => {
    const now = new Date('2026-06-10T12:00:00Z');
    const [req] = encodeMessenger({ ...command, channel: 'messenger' }, { apiVersion: 'v23.0' }, { lastCustomerMessageAt: now, now });
    const res = await post(req.path, req.body);
    expect(await res.json()).toEqual({ recipient_id: '16505551234', message_id: expect.stringMatching(/^m_/) });
  });

  it('rejects a wrong token with Graph error 190', async () => {
    const res = await fetch(`${server.url}/v23.0/1/messages`, { method: 'POST', body: '{}', headers: { authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
    expect(mapWhatsAppError(res.status, await res.json()).code).toBe('auth_failed');
  });

  it('injects a 429 with Retry-After for the next N requests only', async () => {
    server.inject({ kind: 'throttle', retryAfterSeconds: 7 }, 2);
    for (let i = 0; i < 2; i++) {
      const res = await sendWhatsApp();
      expect(res.status).toBe(429);
      const err = mapWhatsAppError(res.status, await res.json(), res.headers);
      expect(err).toBeInstanceOf(RetryableError);
      expect((err as RetryableError).retryAfterMs).toBe(7000);
    }
    expect((await sendWhatsApp()).status).toBe(200);
  });

  it('injects 5xx and provider error codes', async () => {
    server.inject({ kind: 'server-error', status: 503 });
    server.inject({ kind: 'error-code', code: 131047, message: 'Re-engagement message' });
    server.inject({ kind: 'error-code', code: 10, subcode: 2018278 });
    const r1 = await sendWhatsApp();
    expect(mapWhatsAppError(r1.status, await r1.json()).code).toBe('provider_unavailable');
    const r2 = await sendWhatsApp();
    expect(mapWhatsAppError(r2.status, await r2.json()).code).toBe('outside_window');
    const r3 = await post('/v23.0/me/messages', { recipient: { id: '1' }, message: { text: 'x' } });
    expect(mapMessengerError(r3.status, await r3.json()).code).toBe('outside_window');
  });

  it('injects slow responses and timeouts', async () => {
    server.inject({ kind: 'delay', ms: 150 });
    const started = Date.now();
    expect((await sendWhatsApp()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    server.inject({ kind: 'hang' });
    const [req] = encodeWhatsApp(command, { apiVersion: 'v23.0', phoneNumberId: '106540352242922' });
    await expect(post(req.path, req.body, 200)).rejects.toThrow(/timeout|aborted/i);
    expect(server.requests.at(-1)?.status).toBeUndefined();
  });

  it("follows an accepted send with Meta's signed status webhooks (sent, then delivered) echoing biz_opaque_callback_data, to the first URL that takes them — also when it never answers the send", async () => {
    const got: { body: string; signature: string }[] = [];
    const app = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        got.push({ body: Buffer.concat(chunks).toString('utf8'), signature: String(req.headers['x-hub-signature-256']) });
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/webhooks/whatsapp`;
    // The first target refuses (a region that is down): the next one takes them.
    const hooked = await startGraphApiServer({ statusWebhooks: { targets: () => ['http://127.0.0.1:1/webhooks/whatsapp', appUrl], appSecret: 'app-secret', retryEveryMs: 10 } });
    try {
      const [req] = encodeWhatsApp(command, { apiVersion: 'v23.0', phoneNumberId: '106540352242922' });
      const res = await fetch(`${hooked.url}${req.path}`, { method: 'POST', body: JSON.stringify(req.body), headers: { 'content-type': 'application/json' } });
      const wamid = ((await res.json()) as { messages: { id: string }[] }).messages[0].id;
      // A send taken but never answered (its client gone mid-request): its statuses still follow.
      hooked.inject({ kind: 'accept-and-hang' });
      const cut = fetch(`${hooked.url}${req.path}`, { method: 'POST', body: JSON.stringify({ ...req.body, biz_opaque_callback_data: 'msg-2' }), headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(300) });
      await expect(cut).rejects.toThrow(/timeout|aborted/i);
      expect(hooked.requests[1]).toMatchObject({ acceptedStatus: 200 });
      expect(hooked.requests[1].status).toBeUndefined();
      const cutWamid = (hooked.requests[1].answer as { messages: { id: string }[] }).messages[0].id;
      while (hooked.statuses.length < 4) await new Promise((r) => setTimeout(r, 20));
      expect(hooked.statuses.map((x) => `${x.ourId} ${x.status} ${x.to === appUrl}`).sort()).toEqual(['msg-1 delivered true', 'msg-1 sent true', 'msg-2 delivered true', 'msg-2 sent true']);
      for (const g of got) expect(() => verifyHubSignature(Buffer.from(g.body), g.signature, 'app-secret')).not.toThrow();
      const decoded = got.flatMap((g) => decodeWhatsAppWebhook(JSON.parse(g.body), { tenantId: 't1', region: 'eu-1' }).statuses);
      const ofFirst = decoded.filter((d) => d.channelMessageId === wamid);
      expect(ofFirst.map((d) => `${d.messageId} ${d.status}`)).toEqual(['msg-1 sent', 'msg-1 delivered']);
      expect(decoded.filter((d) => d.channelMessageId === cutWamid).map((d) => d.messageId)).toEqual(['msg-2', 'msg-2']);
    } finally {
      await hooked.close();
      await new Promise((r) => app.close(r));
    }
  });

  it("follows an accepted Send API message with the Page's signed echo webhook carrying its metadata (message_echoes subscribed) — also when it never answers the send", async () => {
    const got: { body: string; signature: string }[] = [];
    const app = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        got.push({ body: Buffer.concat(chunks).toString('utf8'), signature: String(req.headers['x-hub-signature-256']) });
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/webhooks/messenger`;
    const PAGE = '104567891234567';
    const hooked = await startGraphApiServer({ pageTokens: { [PAGE]: 'page-token' }, echoWebhooks: { targets: () => [appUrl], appSecret: 'app-secret', pageId: 'unused', retryEveryMs: 10 } });
    try {
      const now = new Date('2026-06-10T12:00:00Z');
      const [req] = encodeMessenger({ ...command, channel: 'messenger', accountId: PAGE }, { apiVersion: 'v23.0' }, { lastCustomerMessageAt: now, now });
      const headers = { 'content-type': 'application/json', authorization: 'Bearer page-token' };
      const res = await fetch(`${hooked.url}${req.path}`, { method: 'POST', body: JSON.stringify(req.body), headers });
      const mid = ((await res.json()) as { message_id: string }).message_id;
      hooked.inject({ kind: 'accept-and-hang' });
      const body2 = { ...req.body, message: { text: 'cut', metadata: 'msg-2' } };
      await expect(fetch(`${hooked.url}${req.path}`, { method: 'POST', body: JSON.stringify(body2), headers, signal: AbortSignal.timeout(300) })).rejects.toThrow(/timeout|aborted/i);
      // A typing indicator is not a message: no echo.
      await fetch(`${hooked.url}${req.path}`, { method: 'POST', body: JSON.stringify({ recipient: { id: '1' }, sender_action: 'typing_on' }), headers });
      const cutMid = (hooked.requests[1].answer as { message_id: string }).message_id;
      while (hooked.echoes.length < 2) await new Promise((r) => setTimeout(r, 20));
      expect(hooked.echoes.map((e) => `${e.metadata} ${e.to === appUrl}`).sort()).toEqual(['msg-1 true', 'msg-2 true']);
      for (const g of got) expect(() => verifyHubSignature(Buffer.from(g.body), g.signature, 'app-secret')).not.toThrow();
      const decoded = got.map((g) => decodeMessengerWebhook(JSON.parse(g.body), { tenantId: 't1', region: 'eu-1' }));
      expect(decoded.flatMap((d) => d.messages)).toEqual([]);
      expect(decoded.flatMap((d) => d.echoes ?? []).sort((a, b) => a.messageId.localeCompare(b.messageId)))
        .toEqual([{ accountId: PAGE, messageId: 'msg-1', channelMessageId: mid }, { accountId: PAGE, messageId: 'msg-2', channelMessageId: cutMid }]);
    } finally {
      await hooked.close();
      await new Promise((r) => app.close(r));
    }
  });

  it('enforces a configured rate limit per phone number with 429 + Retry-After', async () => {
    const limited = await startGraphApiServer({ rateLimit: { limit: 3, intervalMs: 1000 } });
    try {
      const send = (phone: string) => fetch(`${limited.url}/v23.0/${phone}/messages`, { method: 'POST', body: JSON.stringify({ messaging_product: 'whatsapp', to: '1', type: 'text', text: { body: 'x' } }) });
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await send('111')).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect((await send('222')).status).toBe(200);
      const res = await send('111');
      expect(res.headers.get('retry-after')).toBe('1');
      expect((mapWhatsAppError(res.status, await res.json(), res.headers) as RetryableError).retryAfterMs).toBe(1000);
    } finally {
      await limited.close();
    }
  });
});
