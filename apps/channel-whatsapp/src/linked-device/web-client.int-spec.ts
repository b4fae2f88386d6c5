import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection, createConnection } from 'mongoose';
import type { Browser } from 'puppeteer';
import { DEMO_SECRETS_KEK } from '@omni/secrets';
import { WhatsAppConfigSchema } from '../config';
import { MongoAccountLease } from './account-lease';
import { GridFsSessionStore } from './session.store';
import { WebClient, puppeteerOptions, whatsappWebClientFactory } from './web-client';

const BASE = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:37017/omni-test';

describe('linked-device client on the real database and the real Chromium', () => {
  let db: Connection;
  let dir: string;
  beforeAll(async () => {
    const u = new URL(BASE);
    u.pathname = `/wwebjs-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    db = await createConnection(u.toString()).asPromise();
    dir = await mkdtemp(join(tmpdir(), 'omni-wwebjs-'));
  });
  afterAll(async () => {
    await db.dropDatabase();
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps a RemoteAuth session in GridFS: save, replace, extract, delete', async () => {
    const store = new GridFsSessionStore(db, dir);
    const session = 'RemoteAuth-shop1';
    expect(await store.sessionExists({ session })).toBe(false);
    for (const version of ['first', 'second']) {
      await writeFile(join(dir, `${session}.zip`), `zip of the ${version} profile`);
      await store.save({ session });
    }
    expect(await db.collection('wwebjs.files').countDocuments({ filename: `${session}.zip` })).toBe(1);
    await store.extract({ session, path: join(dir, 'restored.zip') });
    expect(await readFile(join(dir, 'restored.zip'), 'utf8')).toBe('zip of the second profile');
    await store.delete({ session });
    expect(await store.sessionExists({ session })).toBe(false);
  });

  it('gives an account to one instance at a time, and to another once the lease expired or was released', async () => {
    let now = new Date('2026-12-01T08:00:00Z');
    const clock = () => now;
    const a = new MongoAccountLease(db, 30_000, 'pod-a', clock);
    const b = new MongoAccountLease(db, 30_000, 'pod-b', clock);
    // Racing: exactly one wins (which one is up to the database).
    expect((await Promise.all([a.acquire('shop1'), b.acquire('shop1')])).sort()).toEqual([false, true]);
    await Promise.all([a.release('shop1'), b.release('shop1')]);
    expect(await a.acquire('shop1')).toBe(true);
    expect(await b.acquire('shop1')).toBe(false);
    expect(await a.acquire('shop1')).toBe(true); // re-acquire by the holder renews
    now = new Date(now.getTime() + 20_000);
    expect(await a.renew('shop1')).toBe(true);
    now = new Date(now.getTime() + 20_000);
    expect(await b.acquire('shop1')).toBe(false); // renewed 20 s ago: still a's
    now = new Date(now.getTime() + 15_000); // a stopped renewing (crashed)
    expect(await b.acquire('shop1')).toBe(true);
    expect(await a.renew('shop1')).toBe(false); // a learns it lost the account
    await b.release('shop1');
    expect(await a.acquire('shop1')).toBe(true);
  });

  /**
   * The smoke test: our factory's client (RemoteAuth on GridFS, puppeteer options from config)
   * launches Debian's chromium headless. There is no network to WhatsApp here, so the client cannot
   * reach the QR stage: what this proves is that the browser starts with the project's config (no
   * downloaded browser) and the client gets as far as navigating to web.whatsapp.com.
   */
  it('launches the configured Chromium headless through whatsapp-web.js', async () => {
    const config = WhatsAppConfigSchema.parse({
      SECRETS_KEK: DEMO_SECRETS_KEK,
      WHATSAPP_VERIFY_TOKEN: 'int-verify-token', WHATSAPP_APP_SECRET: 'int-app-secret', WHATSAPP_ACCESS_TOKEN: 'int-access-token', WHATSAPP_PHONE_NUMBER_ID: '106540352242922',
      WHATSAPP_WEB_DATA_DIR: dir, WHATSAPP_WEB_CHROMIUM_PATH: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    });
    expect(existsSync(config.WHATSAPP_WEB_CHROMIUM_PATH)).toBe(true);
    await mkdir(dir, { recursive: true });
    const client = whatsappWebClientFactory(config, db).create('smoke') as WebClient & { pupBrowser?: Browser };
    const outcome = await Promise.race([
      client.initialize().then(() => 'initialized', (err: Error) => `failed: ${err.message}`),
      new Promise<string>((r) => setTimeout(() => r('still loading'), 20_000)),
    ]);
    try {
      const browser = client.pupBrowser;
      expect(browser).toBeDefined();
      expect(browser?.process()?.spawnfile).toBe(puppeteerOptions(config).executablePath);
      expect(await browser?.version()).toMatch(/Chrom(e|ium)\/\d+/);
      const page = (await browser?.pages())?.[0];
      // Navigation to WhatsApp Web was attempted: here it fails with net::ERR_NAME_NOT_RESOLVED (no
      // network); with network it would load and go on to the QR.
      expect(outcome).toMatch(/^(failed: net::ERR_\w+ at https:\/\/web\.whatsapp\.com|initialized|still loading)/);
      expect(page).toBeDefined();
    } finally {
      await client.destroy().catch(() => undefined);
    }
  });
});
