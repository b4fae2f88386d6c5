import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Connection, createConnection } from 'mongoose';
import type { Browser, Page } from 'playwright-core';
import { hashApiKey } from '@omni/auth';
import { createTransport } from 'nodemailer';
import { AppName, RunningApp, freePort, startApp, stackEnv } from '../support/apps';
import { launchChromium, withFailureArtifacts } from '../support/browser';
import { mongoUri, uniqueName, waitFor } from '../support/env';
import { startSmtpSink } from '../support/smtp-sink';
import { apiCall } from '../support/tenancy';
import { signedMetaWebhook, whatsappTextWebhook } from '../support/webhooks';
import { GraphApiServer, startGraphApiServer } from '../contract-servers/graph-api';

const OPERATOR_KEY = 'workspace-e2e-operator-key';
const SECRET = 'e2e-whatsapp-app-secret';
const TOKEN = 'e2e-whatsapp-access-token';
const PHONE_NUMBER_ID = '106540352242922';
const PASSWORD = 'correct-horse-battery';
const SHOTS = resolve(process.env.OMNI_TEST_REPORTS ?? resolve(__dirname, '../../.local/test/reports'), 'workspace');
const BOX = 'support@acme.test';
const LINK_BASE = 'https://gateway.example.test';
/** A small PDF the agent attaches to a reply. */
const RECEIPT = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core in the page: the serious and critical violations (none expected). */
async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the page's CSP (no inline script) stays as it is.
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown[] }[] }[] }> } }).axe;
    return (await axe.run()).violations;
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}

/**
 * The agents' workspace in Debian's Chromium against the built router, AI worker, WhatsApp channel
 * and workspace apps on the real Kafka and FerretDB, with the Graph API contract server as Meta: a
 * WhatsApp customer asks for a person, an agent signs in, takes it, sees the history, replies and
 * transfers it; a second agent resolves it; a supervisor's wallboard follows live; Arabic is RTL.
 */
describe('agents’ workspace', () => {
  const name = uniqueName('workspace');
  let graph: GraphApiServer;
  let apps: RunningApp[] = [];
  let router: RunningApp;
  let workspace: RunningApp;
  let wa: RunningApp;
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  let smtpPort: number;
  let browser: Browser;
  let db: Connection;
  const api = (method: string, path: string, key: string, body?: unknown) => apiCall(router.url, method, path, key, body);
  const signIn = (email: string, password = PASSWORD, tenantId = 'default') => apiCall(workspace.url, 'POST', '/api/v1/sessions', '', { tenantId, email, password });
  /** On failure: every open page's screenshot and HTML under the test reports. */
  const artifactsOnFailure = (label: string, body: () => Promise<void>) => withFailureArtifacts(browser, SHOTS, label, body);

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    graph = await startGraphApiServer({ accessToken: TOKEN });
    sink = await startSmtpSink();
    smtpPort = await freePort();
    const env = {
      ...stackEnv({ prefix: name, db: name }), API_KEY: OPERATOR_KEY,
      // Files an agent uploads go to Meta as signed links (ADR 0424).
      MEDIA_LINK_BASE_URL: LINK_BASE, MEDIA_LINK_SECRET: 'workspace-e2e-media-link-secret-0123456789',
      WHATSAPP_APP_SECRET: SECRET, WHATSAPP_ACCESS_TOKEN: TOKEN, WHATSAPP_VERIFY_TOKEN: 'e2e-verify-token', WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
      WHATSAPP_API_BASE_URL: graph.url, WHATSAPP_API_VERSION: 'v23.0',
    };
    const [r, ai, w, em] = await Promise.all([
      startApp('router', { ...env, INSTANCE_ID: 'router-1', ROUTER_DISPATCH_INTERVAL_MS: '1000' }), startApp('ai-worker', env), startApp('channel-whatsapp' as AppName, env),
      startApp('channel-email' as AppName, { ...env, EMAIL_ADDRESS: BOX, EMAIL_SMTP_PORT: String(smtpPort), EMAIL_SMTP_HOST: '127.0.0.1', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(sink.port), SMTP_SECURE: 'false' }),
    ]);
    router = r;
    wa = w;
    workspace = await startApp('workspace' as AppName, { WORKSPACE_ROUTER_URL: router.url, WORKSPACE_AI_WORKER_URL: ai.url });
    apps = [router, ai, wa, em, workspace];
    db = await createConnection(mongoUri(name)).asPromise();
    browser = await launchChromium();
    // The tenant's set-up, through the API only: two groups, two agents (offline), their people, a supervisor.
    expect((await api('PUT', '/v1/skill-groups', OPERATOR_KEY, [{ id: 'default' }, { id: 'tier2' }])).status).toBe(200);
    for (const [id, group] of [['ana', 'default'], ['bo', 'tier2']] as const) {
      expect((await api('PUT', `/v1/agents/${id}`, OPERATOR_KEY, { name: id === 'ana' ? 'Ana' : 'Bo', groupIds: [group], languages: ['en'], maxConcurrent: 3 })).status).toBe(200);
      expect((await api('POST', '/v1/tenants/default/people', OPERATOR_KEY, { email: `${id}@acme.test`, name: id, role: 'agent', agentId: id, password: PASSWORD })).status).toBe(201);
    }
    expect((await api('POST', '/v1/tenants/default/people', OPERATOR_KEY, { email: 'sue@acme.test', name: 'Sue', role: 'supervisor', password: PASSWORD })).status).toBe(201);
    // The tenant's resolution SLA (an hour from the handoff): the countdown on an assigned conversation.
    expect((await api('PUT', '/v1/tenants/default/settings/sla', OPERATOR_KEY, { firstResponseSeconds: 300, resolutionSeconds: 3_600 })).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(apps.map((a) => a.stop()));
    await db?.close();
    await graph?.close();
    await sink?.close();
  });

  it('signs people in through the workspace’s same-origin proxy: wrong password, expired token, roles and tenants refused', async () => {
    expect((await api('POST', '/v1/tenants/default/people', OPERATOR_KEY, { email: 'sue@acme.test', name: 'Sue 2', role: 'supervisor', password: PASSWORD })).status).toBe(409);
    const noAgent = await api('POST', '/v1/tenants/default/people', OPERATOR_KEY, { email: 'x@acme.test', name: 'X', role: 'agent', password: PASSWORD });
    expect(noAgent).toMatchObject({ status: 400, json: { issues: [{ path: 'agentId' }] } });
    const wrong = await signIn('ana@acme.test', 'not-the-password');
    expect(wrong).toMatchObject({ status: 401, json: { reason: 'wrong email or password' } });
    expect((await signIn('nobody@acme.test')).status).toBe(401);

    const ana = await signIn('ana@acme.test');
    expect(ana).toMatchObject({ status: 201, json: { person: { role: 'agent', agentId: 'ana', tenantId: 'default' } } });
    const { accessToken, refreshToken } = ana.json as { accessToken: string; refreshToken: string };
    expect(await api('GET', '/v1/me', accessToken)).toMatchObject({ status: 200, json: { role: 'agent', agentId: 'ana' } });
    // An agent's token does no supervisor's or admin's work.
    expect((await api('GET', '/v1/experiments', accessToken)).status).toBe(403);
    expect((await api('PUT', '/v1/agents/bo/presence', accessToken, { presence: 'online' })).status).toBe(403);
    expect((await api('POST', '/v1/tenants/default/people', accessToken, { email: 'y@acme.test', name: 'Y', role: 'admin', password: PASSWORD })).status).toBe(403);
    // Refresh rotates: the old refresh token is spent.
    const renewed = await apiCall(workspace.url, 'POST', '/api/v1/sessions/refresh', '', { refreshToken });
    expect(renewed.status).toBe(201);
    expect((await apiCall(workspace.url, 'POST', '/api/v1/sessions/refresh', '', { refreshToken })).status).toBe(401);
    // An expired access token is 401 (a session whose time is up, written as the router writes one).
    const expired = `oms_${randomBytes(32).toString('base64url')}`;
    await db.collection('sessions').insertOne({
      _id: hashApiKey(expired) as never, refreshHash: hashApiKey(`omr_${randomBytes(8).toString('hex')}`), tenantId: 'default', personId: 'p_x', name: 'Old',
      role: 'agent', agentId: 'ana', expiresAt: new Date(Date.now() - 1_000), refreshExpiresAt: new Date(Date.now() + 60_000), createdAt: new Date(),
    });
    expect(await api('GET', '/v1/conversations', expired)).toMatchObject({ status: 401, json: { reason: expect.stringContaining('expired') } });
    // Tenant isolation: another tenant's person reads and changes nothing of this one.
    expect((await api('POST', '/v1/tenants', OPERATOR_KEY, { id: 'globex', name: 'Globex', homeRegion: 'local', languages: ['en'], timeZone: 'UTC' })).status).toBe(201);
    expect((await api('POST', '/v1/tenants/globex/people', OPERATOR_KEY, { email: 'gus@globex.test', name: 'Gus', role: 'admin', password: PASSWORD })).status).toBe(201);
    expect((await signIn('gus@globex.test')).status).toBe(401); // his email is not default's
    const gus = (await signIn('gus@globex.test', PASSWORD, 'globex')).json as { accessToken: string };
    expect((await api('GET', '/v1/tenants/default/people', gus.accessToken)).status).toBe(403);
    expect((await api('GET', '/v1/agents/ana', gus.accessToken)).status).toBe(404);
    // Signing out ends the token at once.
    const fresh = (renewed.json as { accessToken: string }).accessToken;
    expect((await apiCall(workspace.url, 'DELETE', '/api/v1/sessions/current', fresh)).status).toBe(204);
    expect((await api('GET', '/v1/me', fresh)).status).toBe(401);
  });

  it('an agent takes a WhatsApp handoff, sees the customer’s earlier email, replies with a file and transfers; a second agent resolves; the wallboard follows live; Arabic is RTL', () => artifactsOnFailure('handoff', async () => {
    const from = `1650${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    const post = async (text: string) => {
      const signed = signedMetaWebhook(whatsappTextWebhook({ phoneNumberId: PHONE_NUMBER_ID, from, text, name: 'Sheena Nelson' }), SECRET);
      const res = await fetch(`${wa.url}/webhooks/whatsapp`, { method: 'POST', ...signed });
      expect(res.status).toBe(200);
    };
    const sends = () => graph.requests.filter((r) => r.method === 'POST' && (r.body as { to?: string }).to === from);
    // Yesterday the same customer wrote by email.
    const address = `sheena.${from}@example.com`;
    await createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true })
      .sendMail({ from: address, to: BOX, subject: 'Late parcel', text: 'My parcel ORD-12345 has not arrived yet, where is it?' });
    const mailed = await waitFor('the email conversation', async () => db.collection('conversations').findOne({ channel: 'email', channelUserId: address }), 30_000);
    await post('hello');
    await waitFor('the bot’s answer at Meta', async () => sends().length >= 1, 30_000);
    await post('can I speak to a real person? my order ORD-12345 is late');
    const conv = await waitFor('the handoff to the queue', async () => db.collection('conversations').findOne({ channelUserId: from, state: 'queued' }), 30_000);
    const convId = String(conv._id);
    const supervisor = (await signIn('sue@acme.test')).json as { accessToken: string };
    // The tenant's canned responses, one per shortcut and language, kept by a supervisor (an agent may not); the en one through the screen below.
    expect((await api('PUT', '/v1/canned-responses/thanks/es', supervisor.accessToken, { text: '¡Gracias por tu paciencia!' })).status).toBe(200);
    const anaKey = (await signIn('ana@acme.test')).json as { accessToken: string };
    expect((await api('PUT', '/v1/canned-responses/thanks/en', anaKey.accessToken, { text: 'x' })).status).toBe(403);
    expect(await api('PUT', '/v1/canned-responses/thanks/english', supervisor.accessToken, { text: 'x' })).toMatchObject({ status: 400, json: { issues: [{ path: 'language' }] } });

    // The supervisor's wallboard, live.
    const sue = await (await browser.newContext()).newPage();
    await sue.goto(workspace.url);
    expect(await axeViolations(sue)).toEqual([]);
    await sue.fill('input[name=email]', 'sue@acme.test');
    await sue.fill('input[name=password]', PASSWORD);
    await sue.click('button[type=submit]');
    // Sue opens the queued conversation and says what the customer's last message really meant: the
    // correction reaches the AI worker's feedback (agents do not get this form).
    await sue.locator(`[data-testid=queued] [data-conversation="${convId}"] button.link`).click();
    // The form names the message it corrects: the customer's last one the bot analysed. (Found by its
    // text: WhatsApp's timestamps are whole seconds, so two messages of one second tie on them.)
    const handedOff = await db.collection('messages').findOne({ conversationId: convId, direction: 'inbound', text: { $regex: '^can I speak' } });
    expect(handedOff).not.toBeNull();
    const correction = sue.locator(`[data-testid=correct-intent][data-message-id="${String(handedOff?._id)}"]`);
    await correction.waitFor();
    await correction.locator('input[name=label]').fill('order_status');
    await correction.getByRole('button', { name: 'Save' }).click();
    await sue.getByRole('status').filter({ hasText: 'Intent corrected.' }).waitFor();
    await waitFor('the correction in the AI worker’s feedback', async () => db.collection('nlu_feedback').findOne({ _id: handedOff?._id, label: 'order_status' }), 30_000);
    // Sue links the customer's earlier email to this WhatsApp number in the customer panel (ADR 0221):
    // a search that finds nobody says so; the address finds the email customer; both profiles' identities
    // side by side; confirmed from the keyboard; the email joins the history.
    const merge = sue.locator('[data-testid=merge]');
    expect(await sue.locator('[data-testid=history] li.earlier').count()).toBe(0);
    await merge.locator('input[name=q]').fill('nobody@example.com');
    await merge.locator('input[name=q]').press('Enter');
    await merge.getByRole('status').filter({ hasText: 'No other customer matches “nobody@example.com”.' }).waitFor();
    await merge.locator('input[name=q]').fill(address);
    await merge.getByRole('button', { name: 'Find' }).click();
    const candidate = merge.locator('[data-testid=merge-candidates] button', { hasText: address });
    await candidate.focus();
    await sue.keyboard.press('Enter');
    await merge.locator('[data-testid=merge-other] li', { hasText: address }).filter({ has: sue.locator('.chip', { hasText: 'email' }) }).waitFor();
    await merge.locator('[data-testid=merge-this] li', { hasText: from }).filter({ has: sue.locator('.chip', { hasText: 'whatsapp' }) }).waitFor();
    expect(await axeViolations(sue)).toEqual([]);
    await sue.screenshot({ path: resolve(SHOTS, 'merge-confirm.png'), fullPage: true });
    // The confirmation has the focus: Enter merges.
    expect(await sue.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string | null } | null } }).document.activeElement?.textContent)).toBe('Confirm: the same person');
    await sue.keyboard.press('Enter');
    await merge.getByRole('status').filter({ hasText: 'Merged. The history now shows both profiles.' }).waitFor();
    await sue.locator('[data-testid=history] li.earlier', { hasText: 'has not arrived yet' }).filter({ has: sue.locator('.chip', { hasText: 'email' }) }).waitFor();
    const profile = await api('GET', `/v1/customers/${String(conv.customerId)}`, supervisor.accessToken);
    expect(profile.json).toMatchObject({ identities: expect.arrayContaining([expect.objectContaining({ _id: String(mailed.customerId), channel: 'email' })]) });
    await sue.screenshot({ path: resolve(SHOTS, 'merge-done.png'), fullPage: true });
    // Searching again finds the email customer already in the profile: said so, nothing to merge.
    await merge.locator('input[name=q]').fill(address);
    await merge.locator('input[name=q]').press('Enter');
    await merge.getByRole('status').filter({ hasText: 'Already the same customer.' }).waitFor();
    // Sue makes her a VIP (from the keyboard): served first from her next time in a queue (Ana's transfer below).
    const tier = sue.locator('[data-testid=tier]');
    await tier.locator('input[name=vip]').focus();
    await sue.keyboard.press('Space');
    await tier.getByRole('status').filter({ hasText: 'Saved: VIP.' }).waitFor();
    expect(await tier.locator('input[name=vip]').isChecked()).toBe(true);
    expect(await db.collection('customer_tiers').countDocuments({ tenantId: 'default', vip: true })).toBe(2); // both identities of the profile
    // Sue writes the English canned response in the screen: a bad language is refused naming the field.
    await sue.getByRole('button', { name: 'Canned responses' }).click();
    const cannedForm = sue.locator('[data-testid=canned-form]');
    await cannedForm.locator('input[name=shortcut]').fill('thanks');
    await cannedForm.locator('input[name=language]').fill('english');
    await cannedForm.locator('textarea[name=text]').fill('Thank you for your patience, Sheena!');
    await cannedForm.getByRole('button', { name: 'Save' }).click();
    await sue.getByRole('alert').filter({ hasText: 'language' }).waitFor();
    await cannedForm.locator('input[name=language]').fill('en');
    await cannedForm.getByRole('button', { name: 'Save' }).click();
    await sue.locator('[data-testid=canned-list] tr', { hasText: '/thanks' }).filter({ hasText: 'Thank you for your patience' }).waitFor();
    expect(await axeViolations(sue)).toEqual([]);
    await sue.getByRole('button', { name: 'Wallboard' }).click();
    await sue.locator('[data-testid=queue-total]', { hasText: /^1$/ }).waitFor();
    await sue.locator('[data-testid=by-channel] tr', { hasText: 'whatsapp' }).waitFor();
    // Queued seconds ago, inside the group's 300 s SLA: no breach (the counting is unit-tested).
    await sue.locator('[data-testid=sla-breaches]', { hasText: /^0$/ }).waitFor();
    await sue.locator('[data-testid=live]', { hasText: 'Live' }).waitFor();
    expect(await axeViolations(sue)).toEqual([]);
    await sue.screenshot({ path: resolve(SHOTS, 'wallboard-queued.png'), fullPage: true });

    // Ana signs in (wrong password first), sees the queue with its waiting time, takes it.
    const ana = await (await browser.newContext()).newPage();
    await ana.goto(workspace.url);
    await ana.fill('input[name=email]', 'ana@acme.test');
    await ana.fill('input[name=password]', 'wrong-password-1');
    await ana.click('button[type=submit]');
    await ana.getByRole('alert').filter({ hasText: 'Wrong email or password.' }).waitFor();
    await ana.fill('input[name=password]', PASSWORD);
    await ana.click('button[type=submit]');
    const queuedRow = ana.locator(`[data-testid=queued] [data-conversation="${convId}"]`);
    await queuedRow.filter({ hasText: /waiting/ }).waitFor();
    // The SLA countdown of the queue (the group's 300 s by default).
    await queuedRow.locator('[data-testid=sla]', { hasText: /SLA in \d/ }).waitFor();
    await ana.locator('[data-testid=live]', { hasText: 'Live' }).waitFor();
    await ana.selectOption('[data-testid=presence]', 'online');
    await waitFor('ana online', async () => (await db.collection('agents').findOne({ _id: 'ana' as never }))?.presence === 'online', 10_000);
    await queuedRow.getByRole('button', { name: 'Take' }).click();
    await ana.locator(`[data-testid=mine] [data-conversation="${convId}"]`).waitFor();
    // Assigned: the resolution countdown from the handoff against the tenant's hour (breaches are unit-tested).
    await ana.locator(`[data-testid=mine] [data-conversation="${convId}"] [data-testid=resolution-sla]`, { hasText: /resolution due in (59|60) min/ }).waitFor();
    // The customer's history (the earlier greeting and the bot's answer) and what the AI understood.
    await ana.locator('[data-testid=history] li', { hasText: 'hello' }).waitFor();
    await ana.locator('[data-testid=history] li', { hasText: 'real person' }).waitFor();
    // The same customer's earlier email, in the one history, marked with its channel.
    await ana.locator('[data-testid=history] li.earlier', { hasText: 'has not arrived yet' }).filter({ has: ana.locator('.chip', { hasText: 'email' }) }).waitFor();
    await ana.locator('[data-testid=ai]', { hasText: 'talk_to_human' }).waitFor();
    expect(await ana.locator('[data-testid=correct-intent]').count()).toBe(0); // a supervisor's form, not an agent's
    await ana.locator('[data-testid=handoff]').waitFor();
    // Collision detection: Sue opens the same conversation, then types in it; Ana is told; Sue leaves.
    const watcher = await (await browser.newContext()).newPage();
    await watcher.goto(workspace.url);
    await watcher.fill('input[name=email]', 'sue@acme.test');
    await watcher.fill('input[name=password]', PASSWORD);
    await watcher.click('button[type=submit]');
    await watcher.locator(`[data-testid=mine] [data-conversation="${convId}"] button.link`).click();
    await ana.locator('[data-testid=collision]', { hasText: 'Sue is viewing this conversation' }).waitFor();
    await watcher.locator('#reply').pressSequentially('Ana, the customer is');
    await ana.locator('[data-testid=collision]', { hasText: 'Sue is typing a reply here' }).waitFor();
    await watcher.locator('#reply').press('Escape');
    await ana.locator('[data-testid=collision]').waitFor({ state: 'detached' });
    await watcher.close();
    // An internal note: the colleagues see it, the customer never does.
    await ana.fill('#note', 'Second late order this month: offer the voucher');
    await ana.getByRole('button', { name: 'Add note' }).click();
    await ana.locator('[data-testid=notes] li', { hasText: 'offer the voucher' }).waitFor();

    // The wallboard changed without a reload: nobody waiting, Ana carries one.
    await sue.locator('[data-testid=queue-total]', { hasText: /^0$/ }).waitFor();
    await sue.locator('[data-testid=agents] tr[data-agent=ana]', { hasText: '1/3' }).waitFor();
    await sue.locator('[data-testid=resolution-breaches]', { hasText: /^0$/ }).waitFor();
    await sue.screenshot({ path: resolve(SHOTS, 'wallboard-assigned.png'), fullPage: true });

    // A draft survives a reload (a lost connection, a crash of the tab), then goes out through WhatsApp.
    await ana.fill('#reply', 'Hi Sheena, I am checking ORD-12345 for you now.');
    await ana.reload();
    await ana.locator(`[data-testid=mine] [data-conversation="${convId}"] button.link`).click();
    expect(await ana.inputValue('#reply')).toBe('Hi Sheena, I am checking ORD-12345 for you now.');
    expect(await axeViolations(ana)).toEqual([]);
    await ana.keyboard.press('Tab');
    await ana.focus('#reply');
    await ana.keyboard.press('Control+Enter');
    await ana.getByRole('status').filter({ hasText: 'Sent.' }).waitFor();
    const reply = await waitFor('the agent’s reply at Meta', async () => sends().find((r) => (r.body as { text?: { body?: string } }).text?.body?.includes('ORD-12345 for you')), 30_000);
    expect(reply.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(await ana.inputValue('#reply')).toBe('');

    // A reply with a file: uploaded to the media store through the router, sent as a signed link, in the history to download.
    await ana.fill('#reply', 'Here is your receipt.');
    await ana.setInputFiles('#attach', { name: 'receipt.pdf', mimeType: 'application/pdf', buffer: RECEIPT });
    await ana.getByRole('button', { name: 'Send' }).click();
    const doc = await waitFor('the file at Meta', async () => sends().map((r) => r.body as { type?: string; document?: { link?: string; filename?: string } }).find((b) => b.type === 'document'), 30_000);
    expect(doc.document).toMatchObject({ filename: 'receipt.pdf', link: expect.stringMatching(/^https:\/\/gateway\.example\.test\/media-links\/default\//) });
    const file = ana.locator('[data-testid=history] li.here [data-testid=attachment]', { hasText: 'receipt.pdf' });
    await file.waitFor();
    const [download] = await Promise.all([ana.waitForEvent('download'), file.click()]);
    expect(download.suggestedFilename()).toBe('receipt.pdf');
    expect(readFileSync(await download.path())).toEqual(RECEIPT);

    // A canned response in the customer's language (en, not the es one), by its shortcut and Tab; sent with Ctrl+Enter.
    await ana.locator('#reply').pressSequentially('/than');
    await ana.locator('[data-testid=canned] li', { hasText: '/thanks' }).waitFor();
    expect(await ana.locator('[data-testid=canned] li').allTextContents()).toEqual([expect.stringContaining('Thank you for your patience')]);
    await ana.locator('#reply').press('Tab');
    expect(await ana.inputValue('#reply')).toBe('Thank you for your patience, Sheena!');
    await ana.locator('#reply').press('Control+Enter');
    await waitFor('the canned reply at Meta', async () => sends().some((r) => (r.body as { text?: { body?: string } }).text?.body === 'Thank you for your patience, Sheena!'), 30_000);

    // Unread: Ana closes the conversation (Esc); the customer writes; the inbox counts it; "j" opens it from the keyboard.
    await ana.locator('#reply').press('Escape');
    await ana.locator('main.empty').waitFor();
    await post('are you still there?');
    await ana.locator('[data-testid=unread-count]', { hasText: '1 unread' }).waitFor();
    await ana.locator(`[data-testid=mine] [data-conversation="${convId}"] [data-testid=unread]`).waitFor();
    await ana.keyboard.press('j');
    await ana.locator('[data-testid=history] li.here', { hasText: 'are you still there?' }).waitFor();
    await ana.locator('[data-testid=unread-count]').waitFor({ state: 'detached' });
    // The shortcuts' help: "?" opens it, accessible, Esc closes it.
    await ana.locator('body').click({ position: { x: 5, y: 5 } });
    await ana.keyboard.press('?');
    await ana.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    expect(await axeViolations(ana)).toEqual([]);
    await ana.keyboard.press('Escape');
    await ana.getByRole('dialog').waitFor({ state: 'detached' });
    await ana.screenshot({ path: resolve(SHOTS, 'agent-conversation.png'), fullPage: true });

    // Ana transfers to tier2; Bo (tier2, offline) takes it from his queue and resolves it.
    await ana.selectOption('[data-testid=transfer-target]', 'group:tier2');
    await ana.getByRole('button', { name: 'Transfer' }).click();
    await ana.getByRole('status').filter({ hasText: 'Transferred.' }).waitFor();
    await sue.locator('[data-testid=queue-total]', { hasText: /^1$/ }).waitFor();
    const bo = await (await browser.newContext()).newPage();
    await bo.goto(workspace.url);
    await bo.fill('input[name=email]', 'bo@acme.test');
    await bo.fill('input[name=password]', PASSWORD);
    await bo.click('button[type=submit]');
    // Transferred after Sue made her a VIP: queued as a VIP, marked so in Bo's queue.
    await bo.locator(`[data-testid=queued] [data-conversation="${convId}"] [data-testid=vip]`, { hasText: 'VIP' }).waitFor();
    await bo.locator(`[data-testid=queued] [data-conversation="${convId}"]`).getByRole('button', { name: 'Take' }).click();
    await bo.locator('[data-testid=history] li.here', { hasText: 'ORD-12345 for you now' }).waitFor();
    await bo.locator('[data-testid=notes] li', { hasText: 'offer the voucher' }).waitFor();
    // The note never left: not at Meta, not among the conversation's messages.
    expect(graph.requests.filter((r) => JSON.stringify(r.body ?? '').includes('voucher'))).toEqual([]);
    expect(await db.collection('messages').countDocuments({ conversationId: convId, text: /voucher/ })).toBe(0);
    await bo.getByRole('button', { name: 'Resolve', exact: true }).click();
    await bo.getByRole('status').filter({ hasText: 'Resolved.' }).waitFor();
    await waitFor('resolved in the store', async () => (await db.collection('conversations').findOne({ _id: convId as never }))?.state === 'resolved', 10_000);
    await sue.locator('[data-testid=queue-total]', { hasText: /^0$/ }).waitFor();
    await sue.locator('[data-testid=agents] tr[data-agent=bo]', { hasText: '0/3' }).waitFor();

    // Through the proxy, a credential the router does not know is refused as it is at the router.
    const refused = await apiCall(workspace.url, 'POST', `/api/v1/conversations/${convId}/resolve`, 'omk_not-a-key');
    expect(refused.status).toBe(401);

    // The supervisor's reports (loaded on demand): today's conversations, the uPlot chart, per channel, language and group,
    // the A/B experiments per variant (one made now, with no conversation yet), and the CSV.
    expect((await api('PUT', '/v1/experiments/reply-tone', OPERATOR_KEY, { variants: [{ id: 'warm', weight: 1, params: {} }, { id: 'plain', weight: 1, params: {} }] })).status).toBe(200);
    await sue.getByRole('button', { name: 'Reports' }).click();
    await sue.locator('[data-testid=report-experiments] tr[data-variant="reply-tone/warm"]').waitFor();
    await sue.locator('[data-testid=report-experiments] tr[data-variant="reply-tone/plain"]').waitFor();
    // The NLU per language, from the AI worker through the workspace's /ai proxy: the customers' English predictions.
    await sue.locator('[data-testid=report-nlu] tr[data-language=en]').waitFor();
    await sue.locator('[data-testid=report-total]', { hasText: /^[1-9]\d*$/ }).waitFor();
    await sue.locator('[data-testid=report-chart] canvas').waitFor();
    await sue.locator('[data-testid=report-channels] tr', { hasText: 'whatsapp' }).waitFor();
    await sue.locator('[data-testid=report-channels] tr', { hasText: 'email' }).waitFor();
    await sue.locator('[data-testid=report-groups] tr[data-key=tier2]').waitFor();
    // First response and resolution by language: the customer wrote in English on both channels.
    await sue.locator('[data-testid=report-languages] tr[data-key=en]', { hasText: /^en2/ }).waitFor();
    expect(await axeViolations(sue)).toEqual([]);
    await sue.screenshot({ path: resolve(SHOTS, 'reports.png'), fullPage: true });
    const [csv] = await Promise.all([sue.waitForEvent('download'), sue.getByRole('button', { name: 'Export CSV' }).click()]);
    const exported = readFileSync(await csv.path(), 'utf8').split('\r\n');
    expect(exported[0]).toBe('section,key,conversations,first_response_p50_s,agent_first_response_p50_s,resolution_p50_s,containment_rate,resolution_sla_breached,resolution_sla_judged,csat_mean,csat_n');
    expect(exported.filter((l) => l.startsWith('day,'))).toHaveLength(7);
    expect(exported).toEqual(expect.arrayContaining([
      expect.stringMatching(/^channel,whatsapp,1,/), expect.stringMatching(/^channel,email,1,/), expect.stringMatching(/^language,en,2,/), expect.stringMatching(/^group,tier2,1,/),
    ]));

    // Arabic: right-to-left, translated, still accessible.
    await sue.selectOption('[data-testid=language]', 'ar');
    await sue.locator('html[dir=rtl][lang=ar]').waitFor({ state: 'attached' });
    await sue.getByRole('button', { name: 'لوحة المتابعة' }).waitFor();
    expect(await axeViolations(sue)).toEqual([]);
    await sue.screenshot({ path: resolve(SHOTS, 'wallboard-ar.png'), fullPage: true });
    // The customer panel in Arabic (the resolved conversation, by the status filter): mirrored, translated, accessible.
    await sue.getByRole('button', { name: 'صندوق الوارد' }).click();
    await sue.locator('.filters select').nth(2).selectOption('resolved');
    await sue.locator(`[data-testid=mine] [data-conversation="${convId}"] button.link`).click();
    await sue.locator('[data-testid=merge] h3', { hasText: 'الشخص نفسه على قناة أخرى؟' }).waitFor();
    await sue.locator('[data-testid=tier] input[name=vip]:checked').waitFor();
    expect(await axeViolations(sue)).toEqual([]);
    await sue.screenshot({ path: resolve(SHOTS, 'customer-panel-ar.png'), fullPage: true });
  }));

  it('says the server cannot be reached when the API fails, sends an expired session back to sign-in, and the proxy answers 503 for a router that is down', () => artifactsOnFailure('failures', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(workspace.url);
    await page.fill('input[name=email]', 'ana@acme.test');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.locator('[data-testid=live]', { hasText: 'Live' }).waitFor();
    await page.route('**/api/**', (route) => route.abort('connectionrefused'));
    await page.selectOption('[data-testid=presence]', 'away');
    await page.getByRole('alert').filter({ hasText: 'The server cannot be reached' }).waitFor();
    await page.unroute('**/api/**');
    // A session whose time is up and whose refresh is refused: back to sign-in, saying why.
    const expired = `oms_${randomBytes(32).toString('base64url')}`;
    await db.collection('sessions').insertOne({
      _id: hashApiKey(expired) as never, refreshHash: hashApiKey(`omr_${randomBytes(8).toString('hex')}`), tenantId: 'default', personId: 'p_x', name: 'Ana',
      role: 'agent', agentId: 'ana', expiresAt: new Date(Date.now() - 1_000), refreshExpiresAt: new Date(Date.now() + 60_000), createdAt: new Date(),
    });
    await page.evaluate((token) => {
      const key = 'omni.workspace.session';
      const s = JSON.parse(sessionStorage.getItem(key) ?? '{}') as Record<string, unknown>;
      sessionStorage.setItem(key, JSON.stringify({ ...s, accessToken: token, refreshToken: 'omr_refused' }));
    }, expired);
    await page.reload();
    await page.getByRole('status').filter({ hasText: 'Your session expired. Please sign in again.' }).waitFor();
    await page.locator('input[name=password]').waitFor();
    // The workspace's own proxy: a router that cannot be reached is a 503 naming it, never a hang.
    const down = await startApp('workspace' as AppName, { WORKSPACE_ROUTER_URL: 'http://127.0.0.1:9' });
    try {
      const res = await fetch(`${down.url}/api/v1/me`, { headers: { authorization: 'Bearer x' } });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: 'dependency_unavailable', reason: expect.stringContaining('router unavailable') });
      expect((await fetch(`${down.url}/health/ready`)).status).toBe(200);
    } finally {
      await down.stop();
    }
  }));
});
