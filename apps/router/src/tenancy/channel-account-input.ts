import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { CHANNELS, Channel } from '@omni/contracts';

/** Tokens: printable, no whitespace (a pasted newline would otherwise be stored and fail every send). */
const token = (what: string) => z.string().min(16, `${what}: at least 16 characters`).max(2048).regex(/^\S+$/, `${what}: no whitespace`);
const metaId = z.string().regex(/^\d{5,25}$/, 'digits only (the id Meta shows)');
const appSecret = z.string().regex(/^[A-Za-z0-9]{16,128}$/, 'the Meta app secret (letters and digits, 16-128)');
const host = z.string().min(1).max(253).regex(/^[A-Za-z0-9.-]+$/, 'a host name');
const port = z.number().int().min(1).max(65535);
const name = z.string().trim().min(1).max(128);

const Whatsapp = z.object({ channel: z.literal('whatsapp'), name: name.optional(), phoneNumberId: metaId, wabaId: metaId.optional(), accessToken: token('accessToken'), appSecret }).strict();
const Messenger = z.object({ channel: z.literal('messenger'), name: name.optional(), pageId: metaId, pageAccessToken: token('pageAccessToken'), appSecret }).strict();
const BotToken = z.string().regex(/^\d{3,15}:[A-Za-z0-9_-]{30,64}$/, 'the token BotFather gave: <bot id>:<secret>');
const Telegram = z.object({ channel: z.literal('telegram'), name: name.optional(), botToken: BotToken }).strict();
const Smtp = z.object({ host, port, secure: z.boolean().default(false), user: z.string().min(1).max(256).optional(), pass: z.string().min(1).max(1024).optional() }).strict();
const Imap = z.object({ host, port, secure: z.boolean().default(true), user: z.string().min(1).max(256), pass: z.string().min(1).max(1024) }).strict();
const Email = z.object({ channel: z.literal('email'), name: name.optional(), address: z.email().max(254), smtp: Smtp.optional(), imap: Imap.optional() }).strict();
const Origin = z.url({ protocol: /^https?$/ }).refine((u) => new URL(u).origin === u.replace(/\/$/, ''), 'an origin: scheme://host[:port], no path');
const Web = z.object({ channel: z.literal('web'), name, allowedOrigins: z.array(Origin).min(1).max(50) }).strict();

export const ConnectAccountBody = z.discriminatedUnion('channel', [Whatsapp, Messenger, Telegram, Email, Web], {
  error: (i) => (i.code === 'invalid_union' ? `channel must be one of ${CHANNELS.join(', ')}` : undefined),
});
export type ConnectAccountInput = z.output<typeof ConnectAccountBody>;

/** New credentials of a connected account (rotation): the channel's secret fields only. */
export const RotateBodies: Record<Channel, z.ZodType<Record<string, unknown>> | null> = {
  whatsapp: z.object({ accessToken: token('accessToken'), appSecret }).strict(),
  messenger: z.object({ pageAccessToken: token('pageAccessToken'), appSecret }).strict(),
  telegram: z.object({ botToken: BotToken }).strict(),
  email: z.object({ smtpPass: z.string().min(1).max(1024).optional(), imapPass: z.string().min(1).max(1024).optional() }).strict()
    .refine((b) => b.smtpPass !== undefined || b.imapPass !== undefined, { message: 'smtpPass or imapPass', path: ['smtpPass'] }),
  web: null, // a widget has no credentials
};

/** What is stored of an account: the provider's id, shown settings, and the secrets (sealed before storing). */
export interface AccountParts {
  readonly externalId: string;
  /** The field the externalId came from (named in a 409). */
  readonly idField: string;
  readonly name?: string;
  readonly settings: Record<string, unknown>;
  readonly secrets: Record<string, string> | null;
}

export function accountParts(input: ConnectAccountInput): AccountParts {
  const named = input.name !== undefined ? { name: input.name } : {};
  switch (input.channel) {
    case 'whatsapp':
      return { externalId: input.phoneNumberId, idField: 'phoneNumberId', ...named, settings: input.wabaId ? { wabaId: input.wabaId } : {}, secrets: { accessToken: input.accessToken, appSecret: input.appSecret } };
    case 'messenger':
      return { externalId: input.pageId, idField: 'pageId', ...named, settings: {}, secrets: { pageAccessToken: input.pageAccessToken, appSecret: input.appSecret } };
    case 'telegram':
      // The gateway's own secret for Telegram's X-Telegram-Bot-Api-Secret-Token header (setWebhook).
      return { externalId: botIdOf(input.botToken), idField: 'botToken', ...named, settings: {}, secrets: { botToken: input.botToken, webhookSecret: randomBytes(32).toString('base64url') } };
    case 'email': {
      const { pass: smtpPass, ...smtp } = input.smtp ?? { pass: undefined };
      const { pass: imapPass, ...imap } = input.imap ?? { pass: undefined };
      const secrets = { ...(smtpPass ? { smtpPass } : {}), ...(imapPass ? { imapPass } : {}) };
      return {
        externalId: input.address.toLowerCase(), idField: 'address', ...named,
        settings: { ...(input.smtp ? { smtp } : {}), ...(input.imap ? { imap } : {}) },
        secrets: Object.keys(secrets).length ? secrets : null,
      };
    }
    case 'web':
      return { externalId: `w_${randomBytes(12).toString('base64url')}`, idField: 'name', name: input.name, settings: { allowedOrigins: input.allowedOrigins }, secrets: null };
  }
}

export function botIdOf(botToken: string): string {
  return botToken.slice(0, botToken.indexOf(':'));
}

/** The embed snippet of a web widget (its public id is no secret: the page shows it). */
export function widgetSnippet(publicId: string, baseUrl: string): string {
  return `<script src="${baseUrl}/widget.js" data-widget-id="${publicId}" async></script>`;
}
