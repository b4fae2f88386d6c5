import type { EventEmitter } from 'node:events';
import type { Connection } from 'mongoose';
import WAWebJS from 'whatsapp-web.js';
import type { WhatsAppConfig } from '../config';
import type { LiveWebMessage } from './receive-linked-message.use-case';
import { GridFsSessionStore } from './session.store';

/** A chat as the catch-up after a reconnect reads it (whatsapp-web.js `Chat`). */
export interface WebChat {
  id: { _serialized: string };
  isGroup: boolean;
  unreadCount: number;
  /** Unix seconds of the chat's last message. */
  timestamp?: number;
  fetchMessages(options: { limit: number }): Promise<LiveWebMessage[]>;
}

/**
 * The whatsapp-web.js client as the linked-device adapter uses it: an EventEmitter with the library's
 * event names (`qr`, `authenticated`, `auth_failure`, `ready`, `disconnected`, `message`,
 * `message_ack`, `message_reaction`) and four methods. Tests fake it with a plain EventEmitter.
 */
export interface WebClient extends EventEmitter {
  initialize(): Promise<void>;
  destroy(): Promise<void>;
  getChats(): Promise<WebChat[]>;
  sendMessage(chatId: string, content: unknown, options?: { quotedMessageId?: string; caption?: string }): Promise<{ id: { id: string; _serialized: string } }>;
}

export interface WebClientFactory {
  create(accountId: string): WebClient;
  /** whatsapp-web.js MessageMedia for an outbound attachment. */
  media(mime: string, base64: string, filename?: string): unknown;
}
export const WEB_CLIENT_FACTORY = Symbol('WEB_CLIENT_FACTORY');

export type LinkedDeviceConfig = Pick<
  WhatsAppConfig,
  'WHATSAPP_WEB_CHROMIUM_PATH' | 'WHATSAPP_WEB_DATA_DIR' | 'WHATSAPP_WEB_BACKUP_INTERVAL_MS' | 'WHATSAPP_WEB_HEADLESS' | 'WHATSAPP_WEB_CHROMIUM_ARGS'
>;

/** puppeteer options of every linked-device client: Debian's chromium, never a downloaded browser. */
export function puppeteerOptions(config: LinkedDeviceConfig) {
  return {
    executablePath: config.WHATSAPP_WEB_CHROMIUM_PATH,
    headless: config.WHATSAPP_WEB_HEADLESS,
    // Root in containers and CI needs --no-sandbox; /dev/shm is small in containers.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check', ...config.WHATSAPP_WEB_CHROMIUM_ARGS],
  };
}

/**
 * Real clients: RemoteAuth keeps each account's session (the browser profile, zipped) in GridFS on
 * the app's own connection, so a restarted or rescheduled pod resumes without a new pairing (ADR 0421).
 */
export function whatsappWebClientFactory(config: LinkedDeviceConfig, connection: Connection): WebClientFactory {
  const store = new GridFsSessionStore(connection, config.WHATSAPP_WEB_DATA_DIR);
  return {
    create: (accountId) =>
      new WAWebJS.Client({
        authStrategy: new WAWebJS.RemoteAuth({
          clientId: accountId,
          dataPath: config.WHATSAPP_WEB_DATA_DIR,
          store,
          backupSyncIntervalMs: config.WHATSAPP_WEB_BACKUP_INTERVAL_MS,
        }),
        puppeteer: puppeteerOptions(config),
      }),
    media: (mime, base64, filename) => new WAWebJS.MessageMedia(mime, base64, filename),
  };
}
