import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchMedia } from './fetch-media';
import { MediaUrlGuard } from './url-guard';

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2_000, 1)]);

describe('fetchMedia through the SSRF guard', () => {
  let server: Server;
  let base: string;
  const seen: { path: string; headers: IncomingHttpHeaders }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? '/';
      seen.push({ path, headers: req.headers });
      if (path === '/photo.jpg') return void res.writeHead(200, { 'content-type': 'image/jpeg; charset=binary' }).end(JPEG);
      if (path === '/hop') return void res.writeHead(302, { location: '/photo.jpg' }).end();
      if (path === '/to-other-host') return void res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      if (path === '/to-other-port') return void res.writeHead(301, { location: `http://127.0.0.1:${(server.address() as AddressInfo).port + 1}/photo.jpg` }).end();
      if (path === '/loop') return void res.writeHead(302, { location: '/loop' }).end();
      if (path === '/big-declared') return void res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': '999999' }).end(Buffer.alloc(999_999));
      if (path === '/big-chunked') {
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        for (let i = 0; i < 10; i++) res.write(Buffer.alloc(1_000));
        return void res.end();
      }
      if (path === '/gone') return void res.writeHead(404).end('{"error":"expired"}');
      if (path === '/busy') return void res.writeHead(429, { 'retry-after': '2' }).end();
      if (path === '/down') return void res.writeHead(502).end();
      if (path === '/hang') return; // never answers
      res.writeHead(500).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const guard = () => new MediaUrlGuard({ providerBaseUrl: base, allowedHosts: [] });
  const get = (path: string, o: { maxBytes?: number; timeoutMs?: number; headers?: Record<string, string> } = {}) =>
    fetchMedia(`${base}${path}`, { guard: guard(), maxBytes: o.maxBytes ?? 5_000, timeoutMs: o.timeoutMs ?? 10_000, headers: o.headers });

  it('downloads the bytes and reports the served type, with the headers on the provider origin', async () => {
    const got = await get('/photo.jpg', { headers: { authorization: 'Bearer t' } });
    expect(got.content.equals(JPEG)).toBe(true);
    expect(got.contentType).toBe('image/jpeg');
    expect(seen.at(-1)?.headers.authorization).toBe('Bearer t');
  });

  it('follows a redirect on the same origin', async () => {
    expect((await get('/hop')).content.equals(JPEG)).toBe(true);
  });

  it.each(['/to-other-host', '/to-other-port'])('refuses a redirect to a host the provider does not own (%s)', async (path) => {
    const before = seen.length;
    await expect(get(path)).rejects.toMatchObject({ code: 'media_url_refused', retryable: false });
    expect(seen.length).toBe(before + 1); // the target was never asked
  });

  it('gives up on a redirect loop', async () => {
    await expect(get('/loop')).rejects.toMatchObject({ code: 'media_redirect_loop', retryable: false });
  });

  it('refuses bodies over the limit, declared or streamed', async () => {
    await expect(get('/big-declared')).rejects.toMatchObject({ code: 'media_too_large', retryable: false });
    await expect(get('/big-chunked')).rejects.toMatchObject({ code: 'media_too_large', retryable: false });
  });

  it('types provider answers: 4xx permanent, 429 with its wait and 5xx retryable, a hang times out', async () => {
    await expect(get('/gone')).rejects.toMatchObject({ code: 'media_unavailable', retryable: false });
    await expect(get('/busy')).rejects.toMatchObject({ code: 'media_provider_unavailable', retryable: true, retryAfterMs: 2_000 });
    await expect(get('/down')).rejects.toMatchObject({ code: 'media_provider_unavailable', retryable: true });
    await expect(get('/hang', { timeoutMs: 300 })).rejects.toMatchObject({ code: 'media_timeout', retryable: true });
  });

  it('with a public provider base URL, refuses at connect time an owned name that resolves to loopback', async () => {
    const strict = new MediaUrlGuard({ providerBaseUrl: 'https://graph.facebook.com', allowedHosts: ['localhost'] });
    // A generous timeout: on a loaded machine the resolver's thread pool can be slow, and a timeout
    // would be a different (retryable) outcome than the refusal under test.
    await expect(fetchMedia('https://localhost/photo.jpg', { guard: strict, maxBytes: 5_000, timeoutMs: 15_000 })).rejects.toMatchObject({
      code: 'media_url_refused',
      message: expect.stringContaining('non-public address'),
    });
  }, 20_000);
});
