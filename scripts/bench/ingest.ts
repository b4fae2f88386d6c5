import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { loadTest } from 'loadtest';
import { hubSignature } from '@omni/channels';
import { freePort } from '../../test/support/apps';
import { ROOT } from './infra';
import { startBareProcess } from './bare-process';
import { Latency, latency } from './stats';

/**
 * Webhook ingest: the built channel app against a bare `node:http` receiver (bare-ingest.mjs) doing
 * the same check + parse + produce, both fed the same signed provider payloads (built from the
 * documented fixtures in libs/channels/fixtures, a fresh message id and sender per request).
 *  - saturation: autocannon (closed loop, N connections) gives the sustained requests/s;
 *  - fixed rate: loadtest's requestsPerSecond mode is open loop (a request leaves every 1/rate s
 *    whether or not earlier ones were answered), so a slow server shows up as latency rather than
 *    as a politely lower rate (no coordinated omission).
 */
export type IngestChannel = 'whatsapp' | 'messenger' | 'telegram';
export const INGEST_CHANNELS: IngestChannel[] = ['whatsapp', 'messenger', 'telegram'];

const FIXTURES = resolve(ROOT, 'libs/channels/fixtures');
const WA_PHONE_NUMBER_ID = '106540352242922';
const PAGE_ID = '104567891234567';
const TELEGRAM_TOKEN = '987654321:bench-bot-token-abc';
export const SECRETS = {
  whatsapp: 'bench-whatsapp-app-secret',
  messenger: 'bench-messenger-app-secret',
  telegram: 'bench-telegram-webhook-secret',
} as const;

export interface Webhook {
  body: string;
  headers: Record<string, string>;
}

/** The env that makes the built app accept the payloads below (and talk to `apiBase` outbound). */
export function channelEnv(channel: IngestChannel, apiBase = 'http://127.0.0.1:9'): Record<string, string> {
  switch (channel) {
    case 'whatsapp':
      return {
        WHATSAPP_APP_SECRET: SECRETS.whatsapp, WHATSAPP_ACCESS_TOKEN: 'bench-whatsapp-access-token', WHATSAPP_VERIFY_TOKEN: 'bench-whatsapp-verify',
        WHATSAPP_PHONE_NUMBER_ID: WA_PHONE_NUMBER_ID, WHATSAPP_API_BASE_URL: apiBase, WHATSAPP_API_VERSION: 'v23.0',
        WHATSAPP_TEMPLATES: JSON.stringify([{ name: 'reengage', language: 'en_US', status: 'APPROVED', bodyParams: 1 }]),
      };
    case 'messenger':
      return {
        MESSENGER_APP_SECRET: SECRETS.messenger, MESSENGER_PAGE_ACCESS_TOKEN: 'bench-messenger-page-token', MESSENGER_VERIFY_TOKEN: 'bench-messenger-verify',
        MESSENGER_PAGE_ID: PAGE_ID, MESSENGER_API_BASE_URL: apiBase, MESSENGER_API_VERSION: 'v23.0',
      };
    case 'telegram':
      return { TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRETS.telegram, TELEGRAM_API_ROOT: apiBase };
  }
}

export const ACCOUNTS: Record<IngestChannel, string> = { whatsapp: WA_PHONE_NUMBER_ID, messenger: PAGE_ID, telegram: TELEGRAM_TOKEN.split(':')[0] };
export const TELEGRAM_BOT_TOKEN = TELEGRAM_TOKEN;

const fixture = (path: string) => JSON.parse(readFileSync(resolve(FIXTURES, path), 'utf8')) as Record<string, unknown>;

/** Signed webhook n of a run: a text message from one of 1,000 senders, with an id never sent before. */
export function webhookFactory(channel: IngestChannel, run: string): (n: number) => Webhook {
  // The documented text fixture with placeholders, so each request is a string replace + an HMAC.
  const tpl = JSON.stringify(
    channel === 'whatsapp' ? fixture('whatsapp/text.json') : channel === 'messenger' ? fixture('messenger/text.json') : fixture('telegram/text.json'),
  );
  const sender = (n: number) => String(1_650_000_0000 + (n % 1000));
  switch (channel) {
    case 'whatsapp': {
      const t = tpl.replaceAll('16505551234', '__FROM__').replace('wamid.HBgLMTY1MDUwNTUxMjM0FQIAEhgU3A0001TEXT', '__ID__').replace('1749416383', '__TS__');
      return (n) => {
        const body = t.replaceAll('__FROM__', sender(n)).replace('__ID__', `wamid.${run}.${n}`).replace('__TS__', String(Math.floor(Date.now() / 1000)));
        return { body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': hubSignature(body, SECRETS.whatsapp) } };
      };
    }
    case 'messenger': {
      const t = tpl.replace('6543210987654321', '__FROM__').replace(/"mid":"[^"]+"/, '"mid":"__ID__"');
      return (n) => {
        const body = t.replace('__FROM__', sender(n)).replace('__ID__', `m_${run}.${n}`);
        return { body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': hubSignature(body, SECRETS.messenger) } };
      };
    }
    case 'telegram': {
      const t = tpl.replace('742010001', '__UPDATE__').replace('"message_id":1365', '"message_id":__MSG__').replaceAll('123456789', '__CHAT__');
      return (n) => {
        const body = t.replace('__UPDATE__', String(n + 1)).replace('__MSG__', String(n + 1)).replaceAll('__CHAT__', sender(n));
        return { body, headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRETS.telegram } };
      };
    }
  }
}

export interface BareServer {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** Starts bare-ingest.mjs; it produces to `<prefix><channel>` (the topics must exist). */
export async function startBareServer(brokers: string, topicPrefix: string): Promise<BareServer> {
  const port = await freePort();
  const bare = await startBareProcess('bare-ingest.mjs', {
    BARE_PORT: String(port), BARE_BROKERS: brokers, BARE_TOPIC_PREFIX: topicPrefix,
    BARE_WHATSAPP_SECRET: SECRETS.whatsapp, BARE_MESSENGER_SECRET: SECRETS.messenger, BARE_TELEGRAM_SECRET: SECRETS.telegram,
  }, 'bare server');
  return { url: `http://127.0.0.1:${port}`, ...bare };
}

export interface Saturation {
  /** 2xx answers per second over the run. */
  perSec: number;
  ok: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

/** Closed loop: `connections` keep-alive connections each send the next webhook as soon as the last is answered. */
export async function saturate(url: string, path: string, make: (n: number) => Webhook, seconds: number, connections: number, offset: number): Promise<Saturation> {
  let n = offset;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [{ method: 'POST', path, setupRequest: (req) => ({ ...req, ...make(n++) }) }],
  });
  return {
    perSec: result['2xx'] / result.duration,
    ok: result['2xx'],
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

export interface FixedRate extends Latency {
  target: number;
  /** Requests sent per second (the generator's own pacing, as measured). */
  sentPerSec: number;
  ok: number;
  failed: number;
  /** Still unanswered a full request timeout after the phase ended (counted neither as ok nor in the latencies). */
  unanswered: number;
}

/**
 * Open loop: one webhook every 1/rate s for `seconds`, each on a free keep-alive connection or a new one.
 * Latency is timed here, from the moment a request is generated to the end of its response, rather than
 * taken from loadtest's status callback: loadtest stops its clock at `maxSeconds` and drops every answer
 * that arrives after that, so the few requests still in flight at the end used to show as "unanswered"
 * on the bare server as much as on the gateway. The phase now waits (up to the request timeout) for them.
 */
export async function fixedRate(url: string, path: string, make: (n: number) => Webhook, rate: number, seconds: number, offset: number): Promise<FixedRate> {
  const timeoutMs = 10_000;
  let sent = 0;
  let pending = 0;
  const samples: number[] = [];
  let failed = 0;
  let drained: (() => void) | undefined;
  const settle = (ok: boolean, startedAt: number): void => {
    pending--;
    if (ok) samples.push(performance.now() - startedAt);
    else failed++;
    if (pending === 0) drained?.();
  };
  const t0 = performance.now();
  await new Promise<void>((res, rej) => loadTest({
    url: `${url}${path}`,
    method: 'POST',
    requestsPerSecond: rate,
    maxSeconds: seconds,
    agentKeepAlive: true,
    timeout: timeoutMs,
    quiet: true,
    // loadtest writes one fixed body; a generator gives every request its own body and signature.
    requestGenerator: (_opts: unknown, params: RequestOptions, request: (o: RequestOptions, cb: (res: IncomingMessage) => void) => ClientRequest, cb: (res: IncomingMessage) => void) => {
      const w = make(offset + sent++);
      const startedAt = performance.now();
      let done = false;
      const once = (ok: boolean): void => {
        if (!done) {
          done = true;
          settle(ok, startedAt);
        }
      };
      pending++;
      const req = request({ ...params, headers: { ...params.headers, ...w.headers, 'content-length': String(Buffer.byteLength(w.body)) } }, (response) => {
        response.on('end', () => once((response.statusCode ?? 500) < 300));
        response.on('error', () => once(false));
        cb(response);
      });
      req.on('error', () => once(false));
      req.on('timeout', () => once(false));
      req.write(w.body);
      return req;
    },
  }, (err: unknown) => (err ? rej(err instanceof Error ? err : new Error(`loadtest failed: ${JSON.stringify(err)}`)) : res())));
  const elapsed = (performance.now() - t0) / 1000;
  if (pending > 0) {
    await new Promise<void>((res) => {
      const timer = setTimeout(res, timeoutMs);
      drained = () => {
        clearTimeout(timer);
        res();
      };
    });
  }
  return { ...latency(samples), target: rate, sentPerSec: sent / elapsed, ok: samples.length, failed, unanswered: pending };
}
