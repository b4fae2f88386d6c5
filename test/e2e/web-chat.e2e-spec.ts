import type { Browser } from 'playwright-core';
import { RunningApp, startStack } from '../support/apps';
import { launchChromium } from '../support/browser';
import { createConnection } from 'mongoose';
import { mongoUri, uniqueName, waitFor } from '../support/env';
import { OtlpReceiver } from '../support/otlp-receiver';

/**
 * The web-chat slice end to end, in real Chromium against the built apps on the real Kafka and
 * FerretDB: send, get the bot's reply, reload and see the history; and one trace across all hops.
 */
describe('web chat through the whole pipeline', () => {
  const otlp = new OtlpReceiver();
  let stack: Record<string, RunningApp>;
  let browser: Browser;
  const name = uniqueName('webchat');

  beforeAll(async () => {
    const endpoint = await otlp.start();
    stack = await startStack({
      prefix: name,
      db: name,
      extraEnv: {
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '200',
      },
    });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(Object.values(stack ?? {}).map((a) => a.stop()));
    await otlp.close();
  });

  it('answers "hello" in the widget and shows the history after a reload', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack['channel-web'].url}/`);
    await page.getByTestId('chat-state').filter({ hasText: 'online' }).waitFor();
    await page.getByTestId('chat-input').fill('hello');
    await page.getByTestId('chat-send').click();

    const reply = page.locator('[data-testid=chat-log] li.outbound[data-author=bot]');
    await reply.first().waitFor({ timeout: 20_000 });
    expect(await reply.first().textContent()).toBe('Hi! 👋 How can I help you today? I can check an order, delivery times, payments and returns.');
    // The customer's own bubble is acknowledged (no longer pending) once it is on Kafka.
    await page.locator('li.inbound:not(.pending)').first().waitFor();

    await page.reload();
    await page.getByTestId('chat-state').filter({ hasText: 'online' }).waitFor();
    const items = page.locator('[data-testid=chat-log] li');
    await waitFor('history after reload', async () => (await items.count()) === 2, 10_000);
    expect(await items.nth(0).textContent()).toBe('hello');
    expect(await items.nth(0).getAttribute('class')).toContain('inbound');
    expect(await items.nth(1).textContent()).toBe('Hi! 👋 How can I help you today? I can check an order, delivery times, payments and returns.');
    await page.close();
  });

  it('records the customer’s 👎 on the bot’s answer as a thumbs-down on the prediction log', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack['channel-web'].url}/`);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.getByTestId('chat-state').filter({ hasText: 'online' }).waitFor();
    await page.getByTestId('chat-input').fill('where is my order?');
    await page.getByTestId('chat-send').click();
    const reply = page.locator('[data-testid=chat-log] li.outbound[data-author=bot]').first();
    await reply.waitFor({ timeout: 20_000 });
    const asked = await page.locator('li.inbound:not(.pending)').first().getAttribute('data-id');

    const down = reply.getByTestId('thumbs-down');
    await down.click();
    await page.locator('li.outbound[data-author=bot] [data-testid=thumbs-down][aria-pressed=true]').waitFor({ timeout: 10_000 });
    expect(await reply.getByTestId('thumbs-up').getAttribute('aria-pressed')).toBe('false');

    const db = await createConnection(mongoUri(name)).asPromise();
    try {
      const logged = await waitFor('thumbs-down on the prediction log', async () =>
        db.collection('nlu_predictions').findOne({ _id: asked as never, outcome: 'thumbs_down' }), 15_000);
      expect(logged).toMatchObject({ language: 'en' });
      expect((await db.collection('bot_turns').findOne({ _id: asked as never }))?.feedback).toBe('down');
      // The thumbs did not make the bot talk again: still one answer in the widget.
      await page.waitForTimeout(1_000);
      expect(await page.locator('li.outbound[data-author=bot]').count()).toBe(1);
    } finally {
      await db.close();
      await page.close();
    }
  });

  it('gives the spans of one message one trace id, from the WebSocket receive to the emit', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack['channel-web'].url}/`);
    await page.getByTestId('chat-state').filter({ hasText: 'online' }).waitFor();
    await page.getByTestId('chat-input').fill('hola');
    await page.getByTestId('chat-send').click();
    await page.locator('li.outbound[data-author=bot]').filter({ hasText: '¡Hola!' }).first().waitFor({ timeout: 20_000 });
    await page.close();

    const expected = [
      ['channel-web', 'web.chat receive'],
      ['channel-web', 'omni.inbound.v1 publish'],
      ['router', 'omni.inbound.v1 process'],
      ['router', 'omni.ai.request.v1 publish'],
      ['ai-worker', 'omni.ai.request.v1 process'],
      ['ai-worker', 'omni.ai.result.v1 publish'],
      ['router', 'omni.ai.result.v1 process'],
      ['router', 'omni.outbound.web.v1 publish'],
      ['channel-web', 'omni.outbound.web.v1 process'],
      ['channel-web', 'web.chat emit'],
    ];
    const trace = await waitFor('the whole trace exported', async () => {
      const roots = otlp.spans.filter((s) => s.name === 'web.chat receive' && !s.parentSpanId);
      for (const root of roots) {
        const spans = otlp.spans.filter((s) => s.traceId === root.traceId);
        if (expected.every(([svc, name]) => spans.some((s) => s.service === svc && s.name === name))) return spans;
      }
      return undefined;
    }, 20_000, 250);
    // Every span of the trace hangs off another span of it: one connected tree, one root.
    const ids = new Set(trace.map((s) => s.spanId));
    expect(trace.filter((s) => !s.parentSpanId)).toHaveLength(1);
    expect(trace.filter((s) => s.parentSpanId && !ids.has(s.parentSpanId))).toEqual([]);
  });
});
