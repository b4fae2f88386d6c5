import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attachment, FatalError, InboundMessage, RetryableError, parseData } from '@omni/contracts';
import type { DecodeResult } from '@omni/channels';
import { BreakerRegistry } from '@omni/resilience';
import { MediaIngest, MediaSource, mimeAllowed } from './media-ingest';
import { DiskMediaStore, sha256Hex } from '@omni/persistence';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.alloc(500, 3)]);

function result(attachments: Attachment[], id = 'wamid.1', accountId = '106540352242922'): DecodeResult {
  const msg = parseData('omni.message.received.v1', {
    tenantId: 't1', region: 'local', channel: 'whatsapp', accountId, conversationId: 'c1', customer: { channelUserId: '16505551234' },
    message: { channelMessageId: id, direction: 'inbound', type: 'image', attachments, timestamp: new Date(0).toISOString() },
  });
  return { messages: [msg], statuses: [], ignored: [] };
}

describe('MediaIngest', () => {
  let dir: string;
  let store: DiskMediaStore;
  let breakers: BreakerRegistry;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'omni-media-'));
    store = new DiskMediaStore(dir);
    breakers = new BreakerRegistry();
  });
  afterEach(async () => {
    breakers.shutdown();
    await rm(dir, { recursive: true, force: true });
  });
  const ingest = (maxBytes = 10_000) =>
    new MediaIngest({ store, breakers, limits: { maxBytes, allowedTypes: ['image/*', 'application/pdf'] }, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 }, breaker: { volumeThreshold: 2, resetTimeout: 60_000 }, deadlineMs: 2_000, fetchesAtOnce: 4 });
  const source = (fn: MediaSource['fetch']): MediaSource & { calls: number } => {
    const s = { calls: 0, fetch: (a: Attachment, m: InboundMessage) => (s.calls++, fn(a, m)) };
    return s;
  };
  const image: Attachment = { kind: 'image', mime: 'image/png', mediaId: '1234' };

  it('stores the bytes and references them from the event by content hash', async () => {
    const out = await ingest().storeAll(result([image]), source(async () => ({ content: PNG, contentType: 'image/png' })));
    const [a] = out.messages[0].message.attachments;
    expect(a).toMatchObject({ mediaId: '1234', storeId: sha256Hex(PNG), sha256: sha256Hex(PNG), size: PNG.length, mime: 'image/png' });
    expect((await store.get('t1', a.storeId as string))?.content.equals(PNG)).toBe(true);
    expect(await store.get('another-tenant', a.storeId as string)).toBeNull();
  });

  it('keeps the message and marks the attachment when a limit refuses it, without fetching what is declared too big or of a refused type', async () => {
    const s = source(async () => ({ content: PNG, contentType: 'image/png' }));
    const out = await ingest().storeAll(result([{ ...image, size: 50_000 }, { kind: 'document', mime: 'application/x-msdownload', mediaId: '2' }]), s);
    expect(out.messages[0].message.attachments.map((a) => a.storeError?.code)).toEqual(['media_too_large', 'media_type_refused']);
    expect(s.calls).toBe(0);
    const served = await ingest(200).storeAll(result([image]), source(async () => ({ content: PNG })));
    expect(served.messages[0].message.attachments[0].storeError?.code).toBe('media_too_large');
    const html = await ingest().storeAll(result([image]), source(async () => ({ content: PNG, contentType: 'text/html' })));
    expect(html.messages[0].message.attachments[0].storeError).toMatchObject({ code: 'media_type_refused', reason: expect.stringContaining('text/html') });
    const refused = await ingest().storeAll(result([image]), source(async () => Promise.reject(new FatalError('media_url_refused', 'host evil.example'))));
    expect(refused.messages[0].message.attachments[0]).toMatchObject({ mediaId: '1234', storeError: { code: 'media_url_refused' } });
    expect(refused.messages[0].message.attachments[0].storeId).toBeUndefined();
  });

  it('falls back to the declared type when the server says octet-stream', async () => {
    const out = await ingest().storeAll(result([image]), source(async () => ({ content: PNG, contentType: 'application/octet-stream' })));
    expect(out.messages[0].message.attachments[0]).toMatchObject({ mime: 'image/png', storeId: sha256Hex(PNG) });
  });

  it('retries a transient failure once, then fails the whole webhook retryably (→ 503, the provider redelivers)', async () => {
    const s = source(async () => Promise.reject(new RetryableError('media_timeout', 'slow')));
    await expect(ingest().storeAll(result([image]), s)).rejects.toMatchObject({ retryable: true, message: expect.stringContaining('wamid.1') });
    expect(s.calls).toBe(2);
  });

  it('opens one breaker per account: a failing account fails fast, another account still fetches', async () => {
    const failing = source(async () => Promise.reject(new RetryableError('media_provider_unavailable', 'HTTP 503')));
    for (let i = 0; i < 2; i++) await expect(ingest().storeAll(result([image], `wamid.f${i}`, 'acc-a'), failing)).rejects.toMatchObject({ retryable: true });
    const callsBefore = failing.calls;
    const i = ingest();
    await expect(i.storeAll(result([image], 'wamid.f9', 'acc-a'), failing)).rejects.toMatchObject({ code: 'dependency_unavailable' });
    expect(failing.calls).toBe(callsBefore); // short-circuited: the provider was not called
    const ok = await i.storeAll(result([image], 'wamid.ok', 'acc-b'), source(async () => ({ content: PNG })));
    expect(ok.messages[0].message.attachments[0].storeId).toBe(sha256Hex(PNG));
  });

  it('matches MIME patterns', () => {
    expect(mimeAllowed('image/jpeg', ['image/*'])).toBe(true);
    expect(mimeAllowed('Application/PDF; q=1', ['application/pdf'])).toBe(true);
    expect(mimeAllowed('imagex/jpeg', ['image/*'])).toBe(false);
    expect(mimeAllowed('text/html', ['image/*', 'application/pdf'])).toBe(false);
  });

  it('fetches a batch’s attachments in parallel, a few at a time, under one deadline', async () => {
    let running = 0;
    let most = 0;
    const slow = source(async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 150));
      running--;
      return { content: PNG, contentType: 'image/png' };
    });
    const batch = (n: number): DecodeResult => ({ messages: Array.from({ length: n }, (_, i) => result([{ ...image, mediaId: `m${i}` }], `wamid.p${i}`).messages[0]), statuses: [], ignored: [] });
    const started = Date.now();
    const out = await ingest().storeAll(batch(8), slow);
    // Eight 150 ms fetches, four at a time: about 300 ms, where one at a time took 1.2 s.
    expect(Date.now() - started).toBeLessThan(900);
    expect(most).toBe(4);
    expect(out.messages.every((m) => m.message.attachments[0]?.storeId === sha256Hex(PNG))).toBe(true);

    const never = source(() => new Promise(() => undefined));
    await expect(ingest().storeAll(batch(1), never)).rejects.toMatchObject({ code: 'timeout', retryable: true });
  });
});

