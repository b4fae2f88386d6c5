import { Connection, createConnection } from 'mongoose';
import type { Browser } from 'playwright-core';
import WebSocket from 'ws';
import { RunningApp, startApp, stackEnv } from '../support/apps';
import { launchChromium } from '../support/browser';
import { mongoUri, uniqueName } from '../support/env';

const TEXTS = {
  en: { title: 'Acme help', greeting: 'Hi! Ask us anything.', placeholder: 'Write here…', offline: 'We are offline' },
  'pt-BR': { title: 'Ajuda Acme', greeting: 'Olá! Pergunte o que quiser.', placeholder: 'Escreva aqui…' },
};

/** The welcome frame the gateway answers a hello in `locale` with. */
function welcome(url: string, locale: string): Promise<{ type: string; texts?: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`);
    const timer = setTimeout(() => { ws.terminate(); reject(new Error('no welcome in 10 s')); }, 10_000);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', locale })));
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as { type: string; texts?: Record<string, string> };
      if (frame.type !== 'welcome') return;
      clearTimeout(timer);
      ws.close();
      resolve(frame);
    });
    ws.on('error', reject);
  });
}

/**
 * Issue 12 #6: the tenant's `widgetTexts` setting is served to its web widget — in the welcome, in the
 * visitor's language (English, then the first language, for the others; each text on its own) — and the
 * widget shows them: title, greeting, input placeholder. The built channel-web on the real FerretDB
 * and Kafka; the settings version is the one the router's settings API writes.
 */
describe('widget texts from the tenant settings', () => {
  const name = uniqueName('widget-texts');
  let web: RunningApp;
  let db: Connection;
  let browser: Browser;

  beforeAll(async () => {
    db = await createConnection(mongoUri(name)).asPromise();
    await db.collection('tenant_settings').insertOne({
      _id: 'default:1' as never, tenantId: 'default', version: 1, section: 'widgetTexts', before: null, after: TEXTS, settings: { widgetTexts: TEXTS }, by: 'api:admin', at: new Date(),
    });
    web = await startApp('channel-web', { ...stackEnv({ prefix: name, db: name }), INSTANCE_ID: 'channel-web-1' });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    await db?.close();
  });

  it("answers each visitor's hello with the tenant's texts in their language", async () => {
    expect((await welcome(web.url, 'pt-BR')).texts).toEqual({ ...TEXTS['pt-BR'], offline: TEXTS.en.offline });
    expect((await welcome(web.url, 'pt')).texts).toEqual({ ...TEXTS['pt-BR'], offline: TEXTS.en.offline });
    expect((await welcome(web.url, 'de-DE')).texts).toEqual(TEXTS.en);
  });

  it('shows them in the widget', async () => {
    const context = await browser.newContext({ locale: 'pt-BR' });
    const page = await context.newPage();
    await page.goto(`${web.url}/`);
    await page.getByTestId('chat-greeting').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('chat-greeting').textContent()).toBe(TEXTS['pt-BR'].greeting);
    expect(await page.locator('.omni-title').textContent()).toBe(TEXTS['pt-BR'].title);
    expect(await page.getByTestId('chat-input').getAttribute('placeholder')).toBe(TEXTS['pt-BR'].placeholder);
    await context.close();
  });
});
