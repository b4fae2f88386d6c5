import { ContractServer, Fault, RecordedRequest, Reply, startFaultServer } from './fault-server';

/**
 * Local stand-in for the Telegram Bot API: `POST /bot<token>/<method>` answering `{ ok: true, result }`
 * or `{ ok: false, error_code, description, parameters }` like the real one; `getFile` and the file
 * download `GET /file/bot<token>/<file_path>` for the files given in `files`.
 */
export interface TelegramBotApiOptions {
  /** When set, other tokens get 401 Unauthorized. */
  token?: string;
  /** Several bots (one per tenant): when set, tokens not listed (nor `token`) get 401 Unauthorized. */
  tokens?: string[];
  /** The Bot API's published limits: about 1 message/s per chat and 30/s per bot. */
  rateLimit?: { perChat?: { limit: number; intervalMs: number }; perBot?: { limit: number; intervalMs: number } };
  /** Files by file_id, as customers' photos and documents are kept by Telegram. */
  files?: Record<string, { content: Buffer; path: string }>;
}

export type TelegramBotApiServer = ContractServer;
export type { Fault, RecordedRequest };

const PATH = /^\/bot([^/]+)\/(\w+)$/;
const FILE_PATH = /^\/file\/bot([^/]+)\/(.+)$/;
const SEND = new Set(['sendMessage', 'sendPhoto', 'sendDocument', 'sendAudio', 'sendVoice', 'sendVideo', 'sendSticker', 'sendLocation', 'sendContact']);
const TRUE_METHODS = new Set(['setMessageReaction', 'answerCallbackQuery', 'setWebhook', 'deleteWebhook']);

const fail = (code: number, description: string, parameters?: Record<string, number>): Reply => ({
  status: code,
  body: { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) },
});

const DEFAULT_DESCRIPTIONS: Record<number, string> = {
  400: 'Bad Request: chat not found',
  401: 'Unauthorized',
  403: 'Forbidden: bot was blocked by the user',
  409: 'Conflict: terminated by other getUpdates request',
};

export async function startTelegramBotApiServer(options: TelegramBotApiOptions = {}): Promise<TelegramBotApiServer> {
  const nextMessageId = new Map<string, number>();
  const chatOf = (path: string, body: unknown): string | undefined => {
    const method = PATH.exec(path)?.[2];
    if (!method || !SEND.has(method) || typeof body !== 'object' || body === null) return undefined;
    const chat = (body as Record<string, unknown>).chat_id;
    return typeof chat === 'string' || typeof chat === 'number' ? String(chat) : undefined;
  };
  const limits = options.rateLimit ?? {};
  return startFaultServer({
    rateLimits: [
      ...(limits.perChat ? [{ ...limits.perChat, key: chatOf }] : []),
      ...(limits.perBot ? [{ ...limits.perBot, key: (path: string, body: unknown) => (chatOf(path, body) ? PATH.exec(path)?.[1] : undefined) }] : []),
    ],
    rateLimited: (wait) => fail(429, `Too Many Requests: retry after ${wait}`, { retry_after: wait }),
    renderFault(fault) {
      switch (fault.kind) {
        case 'throttle': {
          const wait = fault.retryAfterSeconds ?? 1;
          return fail(429, `Too Many Requests: retry after ${wait}`, { retry_after: wait });
        }
        case 'server-error':
          return fail(fault.status ?? 502, 'Bad Gateway');
        case 'error-code':
          return fail(fault.status ?? fault.code, fault.message ?? DEFAULT_DESCRIPTIONS[fault.code] ?? `Injected error ${fault.code}`);
      }
    },
    route(method, path, body) {
      const known = (token: string) => (!options.token && !options.tokens) || token === options.token || (options.tokens ?? []).includes(token);
      const f = FILE_PATH.exec(path);
      if (f) {
        const file = Object.values(options.files ?? {}).find((x) => x.path === decodeURIComponent(f[2]));
        if (!known(f[1]) || !file) return fail(404, 'Not Found');
        // Telegram's file server says octet-stream whatever the file is.
        return { status: 200, body: undefined, raw: file.content, headers: { 'content-type': 'application/octet-stream' } };
      }
      const m = PATH.exec(path);
      if (!m) return fail(404, 'Not Found');
      const [, token, apiMethod] = m;
      if (!known(token)) return fail(401, 'Unauthorized');
      if (method !== 'POST' && method !== 'GET') return fail(405, 'Method Not Allowed');
      const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
      if (apiMethod === 'getMe') return ok({ id: Number(token.split(':')[0]) || 1, is_bot: true, first_name: 'Contract Bot', username: 'contract_bot' });
      if (TRUE_METHODS.has(apiMethod)) return ok(true);
      if (apiMethod === 'getFile') {
        const id = typeof b.file_id === 'string' ? b.file_id : '';
        const file = options.files?.[id];
        if (!file) return fail(400, 'Bad Request: invalid file_id');
        return ok({ file_id: id, file_unique_id: `u${id.slice(-8)}`, file_size: file.content.length, file_path: file.path });
      }
      if (!SEND.has(apiMethod)) return fail(404, 'Not Found: method not found');
      const chatId = typeof b.chat_id === 'string' || typeof b.chat_id === 'number' ? b.chat_id : undefined;
      if (chatId === undefined || chatId === '') return fail(400, 'Bad Request: chat_id is empty');
      if (apiMethod === 'sendMessage' && (typeof b.text !== 'string' || !b.text)) return fail(400, 'Bad Request: message text is empty');
      const key = String(chatId);
      const messageId = (nextMessageId.get(key) ?? 1000) + 1;
      nextMessageId.set(key, messageId);
      return ok({
        message_id: messageId,
        from: { id: Number(token.split(':')[0]) || 1, is_bot: true, first_name: 'Contract Bot', username: 'contract_bot' },
        chat: { id: Number(chatId) || chatId, type: 'private' },
        date: Math.floor(Date.now() / 1000),
        ...(typeof b.text === 'string' ? { text: b.text } : {}),
        ...(typeof b.caption === 'string' ? { caption: b.caption } : {}),
      });
    },
  });
}

function ok(result: unknown): Reply {
  return { status: 200, body: { ok: true, result } };
}
