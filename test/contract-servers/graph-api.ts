import { createHash, randomBytes } from 'node:crypto';
import { ContractServer, Fault, RecordedRequest, Reply, startFaultServer } from './fault-server';
import { messengerWebhook, signedMetaWebhook, whatsappStatusChange, whatsappWebhook } from '../support/webhooks';

/**
 * Local stand-in for Meta's Graph API: WhatsApp Cloud API `POST /:version/:phoneNumberId/messages`
 * and Messenger Send API `POST /:version/me/messages`, answering the documented success bodies;
 * Cloud API media: `GET /:version/:mediaId` answers the media object whose `url` (on this server,
 * `/whatsapp_business/attachments/:mediaId`, bearer token required like Meta's) serves the bytes.
 * With `statusWebhooks`, an accepted Cloud API send is followed, as on Meta, by its signed status
 * webhooks (`sent`, then `delivered`), each naming the wamid and echoing the send's
 * `biz_opaque_callback_data`. With `echoWebhooks` (a Page subscribed to `message_echoes`), an accepted
 * Send API message is followed by its signed echo webhook (`message.is_echo`, the `mid`, the `app_id`,
 * and the send's `metadata` when it had one), as Meta documents it.
 */
export interface GraphApiOptions {
  /** When set, requests must carry `Authorization: Bearer <token>` (or `?access_token=`) or get error 190. */
  accessToken?: string;
  /** Per WhatsApp phone number id: a send from a number listed here must carry that number's token (error 190 otherwise). */
  numberTokens?: Record<string, string>;
  /** Per Messenger page id: a Send API call (`/me/messages`, the page is the token's) must carry one of these tokens (error 190 otherwise). */
  pageTokens?: Record<string, string>;
  /** Sliding-window limit per phone number id (WhatsApp) or per page (Messenger); 429 + code 130429 beyond. */
  rateLimit?: { limit: number; intervalMs: number };
  /** Media by id, served as Meta serves uploaded customer media. */
  media?: Record<string, { content: Buffer; mime: string }>;
  statusWebhooks?: StatusWebhooks;
  /** The Pages' subscription to `message_echoes`: each accepted Send API message is echoed (same delivery rules as statuses). */
  echoWebhooks?: StatusWebhooks & {
    /** The Page of a Send API call (the token's): from `pageTokens` when the token is listed there, else this. */
    pageId: string;
    /** The app's id Meta puts in each echo. */
    appId?: number;
  };
}

/**
 * Meta's status webhooks of the Cloud API sends it accepted: POSTed (`X-Hub-Signature-256` with the
 * app secret) after the send's answer, `sent` then `delivered`, to the app's webhook URL — here the
 * first of `targets()` that answers 200, the others in turn, tried again every `retryEveryMs` for up to
 * `retryForMs` (Meta retries a failed delivery for days; a region that is down is skipped so).
 */
export interface StatusWebhooks {
  /** The webhook URLs (`…/webhooks/whatsapp`), asked at each delivery (a test learns its app's port late). */
  targets: () => string[];
  appSecret: string;
  retryEveryMs?: number;
  retryForMs?: number;
}

/** A status webhook the server delivered (or gave up on). */
export interface StatusDelivery {
  wamid: string;
  ourId?: string;
  status: 'sent' | 'delivered';
  /** The URL that answered 200; undefined when every attempt failed within retryForMs. */
  to?: string;
  at: number;
}

/** An echo webhook the server delivered (or gave up on). */
export interface EchoDelivery {
  mid: string;
  /** The send's `message.metadata` (our key), echoed. */
  metadata?: string;
  to?: string;
  at: number;
}

export type GraphApiServer = ContractServer & { statuses: StatusDelivery[]; echoes: EchoDelivery[] };
export type { Fault, RecordedRequest };

const WA_PATH = /^\/(v\d+\.\d+)\/(\d+)\/messages$/;
const ME_PATH = /^\/(v\d+\.\d+)\/me\/messages$/;
const MEDIA_PATH = /^\/(v\d+\.\d+)\/(\d+)$/;
const DOWNLOAD_PATH = /^\/whatsapp_business\/attachments\/(\d+)$/;

const graphError = (status: number, code: number, message: string, subcode?: number, headers?: Record<string, string>): Reply => ({
  status,
  headers,
  body: { error: { message, type: 'OAuthException', code, ...(subcode !== undefined ? { error_subcode: subcode } : {}), error_data: { messaging_product: 'whatsapp', details: message }, fbtrace_id: `A${randomBytes(8).toString('hex')}` } },
});

export async function startGraphApiServer(options: GraphApiOptions = {}): Promise<GraphApiServer> {
  const statuses: StatusDelivery[] = [];
  const echoes: EchoDelivery[] = [];
  let closed = false;
  const pending = new Set<Promise<void>>();
  /** POSTs a signed webhook to the first target that takes it, again and again as Meta does; the URL that took it, or undefined. */
  const deliver = async (hooks: StatusWebhooks, payload: unknown): Promise<string | undefined> => {
    const signed = signedMetaWebhook(payload, hooks.appSecret);
    const until = Date.now() + (hooks.retryForMs ?? 120_000);
    while (!closed && Date.now() < until) {
      for (const url of hooks.targets()) {
        try {
          const res = await fetch(url, { method: 'POST', body: signed.body, headers: signed.headers, signal: AbortSignal.timeout(5_000) });
          if (res.ok) return url;
        } catch {
          // refused or timed out: the next URL, then again later
        }
        if (closed) return undefined;
      }
      await new Promise((r) => setTimeout(r, hooks.retryEveryMs ?? 500));
    }
    return undefined;
  };
  const post = async (hooks: StatusWebhooks, phoneNumberId: string, to: string, wamid: string, ourId: string | undefined, status: 'sent' | 'delivered') => {
    const url = await deliver(hooks, whatsappWebhook([whatsappStatusChange({ phoneNumberId, to, wamid, status, ...(ourId ? { ourId } : {}) })]));
    if (closed && !url) return;
    statuses.push({ wamid, ...(ourId ? { ourId } : {}), status, ...(url ? { to: url } : {}), at: Date.now() });
  };
  /** After the answer: the message's echo to the Page's subscribed webhook, with the send's metadata (Send API docs). */
  const followWithEcho = (authorization: unknown, body: Record<string, unknown>, mid: string) => {
    const hooks = options.echoWebhooks;
    const message = body.message as Record<string, unknown> | undefined;
    if (!hooks || !message) return;
    const page = Object.entries(options.pageTokens ?? {}).find(([, t]) => authorization === `Bearer ${t}`)?.[0] ?? hooks.pageId;
    const psid = String((body.recipient as { id?: unknown }).id);
    const metadata = typeof message.metadata === 'string' ? message.metadata : undefined;
    const { metadata: _m, quick_replies: _q, ...content } = message;
    const at = Date.now();
    const echo = messengerWebhook({
      id: page, time: at,
      messaging: [{ sender: { id: page }, recipient: { id: psid }, timestamp: at, message: { is_echo: true, app_id: hooks.appId ?? 1517776481860111, ...(metadata ? { metadata } : {}), mid, ...content } }],
    });
    const done = new Promise<void>((r) => setTimeout(r, 0))
      .then(() => deliver(hooks, echo))
      .then((url) => {
        if (closed && !url) return;
        echoes.push({ mid, ...(metadata ? { metadata } : {}), ...(url ? { to: url } : {}), at: Date.now() });
      });
    pending.add(done);
    void done.finally(() => pending.delete(done));
  };
  /** After the answer, in order: `sent`, then `delivered` once `sent` was taken. */
  const followWithStatuses = (phoneNumberId: string, body: Record<string, unknown>, wamid: string) => {
    const hooks = options.statusWebhooks;
    if (!hooks) return;
    const to = String(body.to).replace(/\D/g, '');
    const ourId = typeof body.biz_opaque_callback_data === 'string' ? body.biz_opaque_callback_data : undefined;
    const done = new Promise<void>((r) => setTimeout(r, 0))
      .then(() => post(hooks, phoneNumberId, to, wamid, ourId, 'sent'))
      .then(() => post(hooks, phoneNumberId, to, wamid, ourId, 'delivered'));
    pending.add(done);
    void done.finally(() => pending.delete(done));
  };
  const server = await startFaultServer({
    rateLimits: options.rateLimit
      ? [{ ...options.rateLimit, key: (path) => WA_PATH.exec(path)?.[2] ?? (ME_PATH.test(path) ? 'page' : undefined) }]
      : [],
    rateLimited: (wait, path) => graphError(429, ME_PATH.test(path) ? 613 : 130429, 'Rate limit hit', undefined, { 'retry-after': String(wait) }),
    renderFault(fault) {
      switch (fault.kind) {
        case 'throttle':
          return graphError(429, fault.code ?? 130429, 'Rate limit hit', undefined, fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : undefined);
        case 'server-error':
          return graphError(fault.status ?? 500, 2, 'Service temporarily unavailable');
        case 'error-code':
          return graphError(fault.status ?? 400, fault.code, fault.message ?? `Injected error ${fault.code}`, fault.subcode);
      }
    },
    route(method, path, body, headers) {
      if (options.accessToken) {
        const auth = typeof headers.authorization === 'string' ? headers.authorization : '';
        if (auth !== `Bearer ${options.accessToken}`) return graphError(401, 190, 'Invalid OAuth access token.');
      }
      const number = WA_PATH.exec(path)?.[2];
      if (number !== undefined && options.numberTokens?.[number] !== undefined && headers.authorization !== `Bearer ${options.numberTokens[number]}`) {
        return graphError(401, 190, `Invalid OAuth access token for phone number ${number}.`);
      }
      if (ME_PATH.test(path) && options.pageTokens && !Object.values(options.pageTokens).some((t) => headers.authorization === `Bearer ${t}`)) {
        return graphError(401, 190, 'Invalid OAuth access token for any connected page.');
      }
      if (method === 'GET') {
        const media = options.media?.[MEDIA_PATH.exec(path)?.[2] ?? DOWNLOAD_PATH.exec(path)?.[1] ?? ''];
        if (!media) return graphError(404, 100, `Unsupported get request. Object with ID '${path}' does not exist`, 33);
        if (DOWNLOAD_PATH.test(path)) return { status: 200, body: undefined, raw: media.content, headers: { 'content-type': media.mime, 'content-length': String(media.content.length) } };
        const id = MEDIA_PATH.exec(path)?.[2] as string;
        return {
          status: 200,
          body: {
            messaging_product: 'whatsapp',
            url: `http://${String(headers.host)}/whatsapp_business/attachments/${id}`,
            mime_type: media.mime,
            sha256: createHash('sha256').update(media.content).digest('base64'),
            file_size: media.content.length,
            id,
          },
        };
      }
      if (method !== 'POST') return graphError(405, 100, 'Unsupported method');
      if (typeof body !== 'object' || body === null) return graphError(400, 100, 'Invalid parameter: body must be JSON');
      const b = body as Record<string, unknown>;
      if (WA_PATH.test(path)) {
        if (b.messaging_product !== 'whatsapp' || typeof b.to !== 'string') return graphError(400, 100, '(#100) Invalid parameter');
        const id = `wamid.${randomBytes(24).toString('base64url')}`;
        followWithStatuses(WA_PATH.exec(path)?.[2] as string, b, id);
        // Template sends report message_status "accepted" (the documented response shape).
        return { status: 200, body: { messaging_product: 'whatsapp', contacts: [{ input: b.to, wa_id: b.to.replace(/\D/g, '') }], messages: [{ id, ...(b.type === 'template' ? { message_status: 'accepted' } : {}) }] } };
      }
      if (ME_PATH.test(path)) {
        const recipient = b.recipient as Record<string, unknown> | undefined;
        if (typeof recipient?.id !== 'string' || (b.message === undefined && b.sender_action === undefined)) return graphError(400, 100, '(#100) The parameter recipient is required');
        const mid = `m_${randomBytes(24).toString('base64url')}`;
        followWithEcho(headers.authorization, b, mid);
        return { status: 200, body: { recipient_id: recipient.id, message_id: mid } };
      }
      return graphError(404, 803, `Unknown path ${path}`);
    },
  });
  return {
    ...server,
    statuses,
    echoes,
    reset() {
      server.reset();
      statuses.length = 0;
      echoes.length = 0;
    },
    async close() {
      closed = true;
      await Promise.allSettled([...pending]);
      await server.close();
    },
  };
}
