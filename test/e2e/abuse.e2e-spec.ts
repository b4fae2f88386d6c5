import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect as http2Connect } from 'node:http2';
import { Socket, connect as netConnect } from 'node:net';
import WebSocket from 'ws';
import { hubSignature } from '@omni/channels';
import { AppName, RunningApp, freePort, startApp, stackEnv } from '../support/apps';
import { uniqueName } from '../support/env';

/**
 * The abuse suite (issue 15, "Proof"): hostile inputs on every public surface — the webhooks, SMTP,
 * the chat WebSocket, the router's REST API (every route of its OpenAPI document) and its gRPC port —
 * then one line: inputs tried, clean rejections (4xx, refused frames, SMTP 5xx replies, gRPC errors),
 * accepted, 5xx, crashes, and each app's peak RSS. `npm test` runs a short form (ABUSE_ROUNDS=1,
 * over 1,000 inputs); `npm run abuse` runs more rounds. It fails on any 5xx or crash.
 */
const ROUNDS = Number(process.env.ABUSE_ROUNDS ?? 1);
const KEY = 'abuse-operator-key-0123456789';
const WA_SECRET = 'abuse-whatsapp-app-secret';
const FB_SECRET = 'abuse-messenger-app-secret';
const TG_SECRET = 'abuse-telegram-secret';

interface Tally { tried: number; rejected: number; accepted: number; e5xx: number; failures: string[] }
const tally: Tally = { tried: 0, rejected: 0, accepted: 0, e5xx: 0, failures: [] };

function count(surface: string, status: number, what: string): void {
  tally.tried++;
  if (status >= 500) {
    tally.e5xx++;
    if (tally.failures.length < 60) tally.failures.push(`${surface} ${what}: ${status}`);
  } else if (status >= 400 || status === 0) tally.rejected++;
  else tally.accepted++;
}

const sign = (secret: string, body: Buffer | string) => hubSignature(body, secret);

/** Bodies no provider would send: each is sent unsigned, badly signed and well signed. */
function hostileBodies(): { name: string; body: Buffer; type: string }[] {
  const deep = `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
  const bodies: [string, string | Buffer, string?][] = [
    ['empty', ''],
    ['not json', 'hello <script>alert(1)</script>'],
    ['truncated json', '{"object":"whatsapp_business_account","entry":[{"id":'],
    ['array', '[1,2,3]'],
    ['null', 'null'],
    ['number', '12345'],
    ['string', '"x"'],
    ['wrong shape', JSON.stringify({ object: 'page', entry: 'nope' })],
    ['entry of nulls', JSON.stringify({ object: 'whatsapp_business_account', entry: [null, 1, 'x', {}] })],
    ['changes wrong types', JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 1, changes: [{ field: 5, value: [] }] }] })],
    ['messages wrong types', JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'w', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { phone_number_id: {} }, messages: [{ from: [], id: null, type: 'text', text: { body: 7 } }] } }] }] })],
    ['proto pollution', '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"object":"page","entry":[]}'],
    ['deep nesting', deep],
    ['huge string', JSON.stringify({ object: 'page', entry: [{ id: 'p', messaging: [{ message: { text: 'x'.repeat(300_000) } }] }] })],
    ['binary', randomBytes(2048)],
    ['unicode junk', JSON.stringify({ object: 'page', entry: [{ id: '\u0000\uffff\ud800', messaging: [{ sender: { id: '\u202e' }, message: { mid: '\u0000', text: '\ud83d' } }] }] })],
    ['telegram garbage', JSON.stringify({ update_id: 'x', message: { chat: { id: {} }, from: null, text: [] } })],
    ['telegram huge id', JSON.stringify({ update_id: 1e308, message: { message_id: -1, date: 'now', chat: { id: 9e99, type: 'private' }, text: 'hi' } })],
    ['form encoded', 'a=1&b=2', 'application/x-www-form-urlencoded'],
    ['xml', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', 'application/xml'],
  ];
  return bodies.map(([name, b, type]) => ({ name, body: Buffer.isBuffer(b) ? b : Buffer.from(b), type: type ?? 'application/json' }));
}

async function post(url: string, body: Buffer, headers: Record<string, string>): Promise<number> {
  try {
    const res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(15_000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0; // the server closed the connection on us: a refusal, not a crash (crashes are checked apart)
  }
}

async function request(url: string, init: RequestInit): Promise<number> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/** Signed, unsigned and wrongly signed hostile bodies at one webhook, plus the verification GET. */
async function webhookAbuse(surface: string, url: string, headersFor: (body: Buffer) => Record<string, string>[]): Promise<void> {
  for (const b of hostileBodies()) {
    for (const h of headersFor(b.body)) count(surface, await post(url, b.body, { 'content-type': b.type, ...h }), b.name);
  }
  for (const q of ['', '?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1', '?hub.mode=x&hub.challenge=' + 'a'.repeat(10_000), '?hub.challenge=%00%ff']) {
    count(surface, await request(url + q, { method: 'GET' }), `GET ${q.slice(0, 30)}`);
  }
  // A body far over any limit.
  count(surface, await post(url, Buffer.alloc(6 * 1024 * 1024, 0x61), { 'content-type': 'application/json' }), '6 MB');
}

/** Speaks SMTP badly: garbage commands, unknown recipients, an oversized DATA, binary junk, early hang-ups. */
async function smtpAbuse(port: number): Promise<void> {
  const session = (lines: (string | Buffer)[]): Promise<string> =>
    new Promise((resolve) => {
      const s: Socket = netConnect(port, '127.0.0.1');
      let out = '';
      const done = () => { s.destroy(); resolve(out); };
      s.setTimeout(10_000, done);
      s.on('data', (d) => { out += d.toString('latin1'); });
      s.on('error', done);
      s.on('close', done);
      s.once('data', () => {
        for (const l of lines) s.write(l);
        setTimeout(() => s.end(), 300);
      });
    });
  const sessions: [string, (string | Buffer)[]][] = [
    ['garbage', ['HELLO WORLD\r\n', 'GIVE ME ROOT\r\n', '\x00\x01\x02\r\n', 'QUIT\r\n']],
    ['no helo', ['MAIL FROM:<a@b.c>\r\n', 'RCPT TO:<x@y.z>\r\n', 'DATA\r\n']],
    ['relay attempt', ['EHLO evil.example\r\n', 'MAIL FROM:<spam@evil.example>\r\n', 'RCPT TO:<victim@elsewhere.example>\r\n', 'QUIT\r\n']],
    ['long line', ['EHLO x\r\n', `MAIL FROM:<${'a'.repeat(100_000)}@b.c>\r\n`, 'QUIT\r\n']],
    ['binary', [randomBytes(4096)]],
    ['oversized data', ['EHLO x\r\n', 'MAIL FROM:<a@example.com>\r\n', 'RCPT TO:<support@shop.example>\r\n', 'DATA\r\n', Buffer.alloc(12 * 1024 * 1024, 0x61), '\r\n.\r\n', 'QUIT\r\n']],
    ['broken mime', ['EHLO x\r\n', 'MAIL FROM:<a@example.com>\r\n', 'RCPT TO:<support@shop.example>\r\n', 'DATA\r\n', 'Content-Type: multipart/mixed; boundary=\r\n\r\n--\r\n--\r\n\x00\r\n.\r\n', 'QUIT\r\n']],
    ['header bomb', ['EHLO x\r\n', 'MAIL FROM:<a@example.com>\r\n', 'RCPT TO:<support@shop.example>\r\n', 'DATA\r\n', `${'X-A: b\r\n'.repeat(20_000)}\r\nbody\r\n.\r\n`, 'QUIT\r\n']],
  ];
  for (const [name, lines] of sessions) {
    const reply = await session(lines);
    // The server's own refusals are SMTP 4xx/5xx replies: clean. Only a dead server would be a crash.
    count('smtp', /^(4|5)\d\d /m.test(reply) || reply === '' ? 400 : 200, name);
  }
}

/** Frames the widget would never send, and sockets from pages it does not serve. */
async function webSocketAbuse(base: string): Promise<void> {
  const url = base.replace(/^http/, 'ws') + '/ws';
  const frames: [string, string | Buffer][] = [
    ['not json', 'hello'], ['array', '[]'], ['null', 'null'], ['unknown type', '{"type":"root"}'], ['wrong types', '{"type":"message","text":{}}'],
    ['huge', JSON.stringify({ type: 'message', text: 'x'.repeat(2_000_000) })], ['binary', randomBytes(1024)], ['proto', '{"__proto__":{"a":1},"type":"message","text":"hi"}'],
    ['control chars', JSON.stringify({ type: 'message', text: '\u0000\u202e\ud800' })], ['resume forged', JSON.stringify({ type: 'resume', sessionId: 'someone-else', token: 'forged' })],
  ];
  for (const origin of ['http://localhost', 'https://evil.example']) {
    for (const [name, frame] of frames) {
      const code = await new Promise<number>((resolve) => {
        const ws = new WebSocket(url, { headers: { origin } });
        const t = setTimeout(() => { ws.terminate(); resolve(200); }, 3_000);
        ws.on('open', () => { ws.send(frame); setTimeout(() => ws.close(), 500); });
        ws.on('unexpected-response', (_req, res) => { clearTimeout(t); resolve(res.statusCode ?? 400); });
        ws.on('close', (c) => { clearTimeout(t); resolve(c === 1000 || c === 1005 ? 200 : 400); });
        ws.on('error', () => { clearTimeout(t); resolve(400); });
      });
      count('ws', code, `${origin} ${name}`);
    }
  }
}

/** Every route of the router's OpenAPI document with no key, a wrong key, and the operator key with hostile input. */
async function restAbuse(base: string): Promise<void> {
  const doc = (await (await fetch(`${base}/docs-json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  const ids = ['..%2F..%2Fetc%2Fpasswd', '%00', 'x'.repeat(5_000), '%7B%22%24gt%22%3A%22%22%7D', '%F0%9F%98%80', '-1', 'default'];
  const bodies = ['{', '[]', '"x"', '{"__proto__":{"admin":true}}', JSON.stringify({ id: { $gt: '' }, name: 7, languages: 'en', homeRegion: null, timeZone: 'Mars/Olympus', channel: 'fax', role: 'god' }), JSON.stringify({ text: 'x'.repeat(200_000), agentId: [] })];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const method of Object.keys(methods).map((m) => m.toUpperCase())) {
      for (const id of ids) {
        const p = path.replace(/\{[^}]+\}/g, id);
        const q = `?from=yesterday&to=${'9'.repeat(40)}&limit=-5&groupId[$ne]=x`;
        count('rest', await request(`${base}${p}${q}`, { method }), `${method} ${path} no key`);
        count('rest', await request(`${base}${p}`, { method, headers: { authorization: 'Bearer nope' } }), `${method} ${path} bad key`);
        if (method === 'GET' || method === 'DELETE') count('rest', await request(`${base}${p}${q}`, { method, headers: { authorization: `Bearer ${KEY}` } }), `${method} ${path} ${id.slice(0, 12)}`);
        else for (const body of bodies) count('rest', await request(`${base}${p}`, { method, body, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' } }), `${method} ${path} ${id.slice(0, 12)} ${body.slice(0, 20)}`);
      }
    }
  }
}

/** Calls the router's gRPC methods with garbage frames, and the port with bytes that are not HTTP/2. */
async function grpcAbuse(port: number): Promise<void> {
  const methods = ['SendMessage', 'GetConversation', 'StreamConversationEvents', 'NoSuchMethod'].map((m) => `/omni.router.v1.ConversationService/${m}`);
  const payloads = [Buffer.alloc(0), Buffer.from([0, 0, 0, 0, 5, 1, 2, 3, 4, 5]), Buffer.from([0, 0xff, 0xff, 0xff, 0xff]), Buffer.concat([Buffer.from([0, 0, 0, 0x10, 0]), randomBytes(4096)]), randomBytes(64)];
  const client = http2Connect(`http://127.0.0.1:${port}`);
  client.on('error', () => undefined);
  for (const path of methods) {
    for (const [i, body] of payloads.entries()) {
      for (const auth of [undefined, 'Bearer nope', `Bearer ${KEY}`]) {
        const status = await new Promise<number>((resolve) => {
          const req = client.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...(auth ? { authorization: auth } : {}) });
          let grpcStatus = -1;
          let grpcMessage = '';
          const read = (h: Record<string, unknown>) => {
            if (h['grpc-status'] !== undefined) grpcStatus = Number(h['grpc-status']);
            if (typeof h['grpc-message'] === 'string') grpcMessage = decodeURIComponent(h['grpc-message']);
          };
          // INTERNAL (13) is the gRPC form of a 5xx — except for a request frame that does not parse, which
          // gRPC's status-code specification itself answers with INTERNAL (grpc-js: "Error deserializing request").
          const verdict = () => (grpcStatus === 0 ? 200 : grpcStatus === 13 && !grpcMessage.startsWith('Error deserializing request') ? 500 : 400);
          const t = setTimeout(() => { req.close(); resolve(verdict()); }, 3_000);
          req.on('response', read);
          req.on('trailers', read);
          req.on('data', () => undefined);
          req.on('end', () => { clearTimeout(t); resolve(verdict()); });
          req.on('error', () => { clearTimeout(t); resolve(400); });
          req.end(body);
        });
        count('grpc', status, `${path.split('/').pop()} payload ${i} ${auth ?? 'no key'}`);
      }
    }
  }
  client.close();
  for (const junk of [randomBytes(512), Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]) {
    await new Promise<void>((resolve) => {
      const s = netConnect(port, '127.0.0.1', () => s.end(junk));
      s.on('data', () => undefined).on('error', () => resolve()).on('close', () => resolve());
      s.setTimeout(3_000, () => { s.destroy(); resolve(); });
    });
    count('grpc', 400, 'not http2');
  }
}

/** Peak resident memory of a running app (VmHWM), in MiB. */
function peakRss(app: RunningApp): string {
  try {
    const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${app.proc.pid}/status`, 'utf8'))?.[1]);
    return `${app.name} ${Math.round(kb / 1024)} MiB`;
  } catch {
    return `${app.name} ?`;
  }
}

describe('abuse: hostile input on every public surface', () => {
  const name = uniqueName('abuse');
  let apps: RunningApp[] = [];
  let smtpPort = 0;
  let grpcPort = 0;
  const app = (n: string) => apps.find((a) => a.name === n)!;

  beforeAll(async () => {
    const env = { ...stackEnv({ prefix: name, db: name }), API_RATE_LIMIT_PER_IP: '1000000', API_RATE_LIMIT_PER_KEY: '1000000' };
    [smtpPort, grpcPort] = await Promise.all([freePort(), freePort()]);
    apps = await Promise.all([
      startApp('router', { ...env, API_KEY: KEY, ROUTER_GRPC_PORT: String(grpcPort), ROUTER_DISPATCH_INTERVAL_MS: '0' }),
      startApp('ai-worker', { ...env, API_KEY: KEY }),
      startApp('channel-web', { ...env, WEB_MAX_CONNECTIONS_PER_IP: '10000', WEB_ALLOWED_ORIGINS: 'http://localhost' }),
      startApp('channel-whatsapp' as AppName, { ...env, WHATSAPP_APP_SECRET: WA_SECRET, WHATSAPP_ACCESS_TOKEN: 'abuse-token', WHATSAPP_VERIFY_TOKEN: 'abuse-verify', WHATSAPP_PHONE_NUMBER_ID: '100200300', WHATSAPP_API_BASE_URL: 'http://127.0.0.1:9' }),
      startApp('channel-messenger' as AppName, { ...env, MESSENGER_APP_SECRET: FB_SECRET, MESSENGER_PAGE_ACCESS_TOKEN: 'abuse-token', MESSENGER_VERIFY_TOKEN: 'abuse-verify', MESSENGER_PAGE_ID: '400500600', MESSENGER_API_BASE_URL: 'http://127.0.0.1:9' }),
      startApp('channel-telegram' as AppName, { ...env, TELEGRAM_BOT_TOKEN: '123456:abuse-token', TELEGRAM_WEBHOOK_SECRET: TG_SECRET, TELEGRAM_API_ROOT: 'http://127.0.0.1:9' }),
      startApp('channel-email' as AppName, { ...env, EMAIL_ADDRESS: 'support@shop.example', EMAIL_SMTP_PORT: String(smtpPort), EMAIL_SMTP_HOST: '127.0.0.1', SMTP_HOST: '127.0.0.1', SMTP_PORT: '9', SMTP_SECURE: 'false' }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
  });

  it(`answers ${ROUNDS} round(s) of hostile input with clean rejections: no 5xx, no crash`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      await webhookAbuse('whatsapp', `${app('channel-whatsapp').url}/webhooks/whatsapp`, (b): Record<string, string>[] => [{}, { 'x-hub-signature-256': 'sha256=00' }, { 'x-hub-signature-256': sign(WA_SECRET, b) }]);
      await webhookAbuse('messenger', `${app('channel-messenger').url}/webhooks/messenger`, (b): Record<string, string>[] => [{}, { 'x-hub-signature-256': sign('wrong', b) }, { 'x-hub-signature-256': sign(FB_SECRET, b) }]);
      await webhookAbuse('telegram', `${app('channel-telegram').url}/webhooks/telegram`, (): Record<string, string>[] => [{}, { 'x-telegram-bot-api-secret-token': 'wrong' }, { 'x-telegram-bot-api-secret-token': TG_SECRET }]);
      await smtpAbuse(smtpPort);
      await webSocketAbuse(app('channel-web').url);
      await restAbuse(app('router').url);
      await grpcAbuse(grpcPort);
    }
    const crashed = apps.filter((a) => a.proc.exitCode !== null || a.proc.signalCode !== null);
    const line = `abuse: ${tally.tried} inputs tried, ${tally.rejected} rejected cleanly (4xx), ${tally.accepted} accepted, ${tally.e5xx} 5xx, ${crashed.length} crashes; peak RSS: ${apps.map(peakRss).join(', ')}`;
    process.stdout.write(`\n${line}\n`);
    for (const f of tally.failures) process.stdout.write(`  5xx: ${f}\n`);
    for (const a of crashed) process.stdout.write(`  crashed: ${a.name}\n${a.logs.join('').slice(-2000)}\n`);
    expect(tally.tried).toBeGreaterThanOrEqual(1_000);
    expect(tally.failures).toEqual([]);
    expect(crashed.map((a) => a.name)).toEqual([]);
  }, 600_000);
});
