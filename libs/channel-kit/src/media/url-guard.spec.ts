import { MediaUrlGuard, isPublicAddress, redact } from './url-guard';

const meta = new MediaUrlGuard({ providerBaseUrl: 'https://graph.facebook.com', allowedHosts: ['*.fbcdn.net', '*.fbsbx.com'] });
const refused = (guard: MediaUrlGuard, url: string) => {
  try {
    guard.check(url);
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return 'accepted';
};

describe('MediaUrlGuard.check', () => {
  it.each([
    'https://graph.facebook.com/v23.0/1234567890',
    'https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1&ext=2',
    'https://scontent.xx.fbcdn.net/v/t1.15752-9/photo.jpg?_nc_cat=1',
    'https://SCONTENT.XX.FBCDN.NET./v/photo.jpg', // case and the root dot are normalized
  ])('accepts a URL the provider owns: %s', (url) => {
    expect(refused(meta, url)).toBe('accepted');
  });

  it.each([
    ['another host', 'https://evil.example/x.jpg'],
    ['the provider host as a prefix of another', 'https://graph.facebook.com.evil.example/x'],
    ['the suffix without its dot boundary', 'https://evilfbcdn.net/x'],
    ['the bare suffix of a wildcard', 'https://fbcdn.net/x'],
    ['userinfo that looks like the host', 'https://graph.facebook.com@evil.example/x'],
    ['userinfo before the right host', 'https://evil.example@graph.facebook.com/v23.0/1'],
    ['user and password', 'https://user:pw@scontent.xx.fbcdn.net/x'],
    ['a loopback IP literal', 'https://127.0.0.1/x'],
    ['a decimal IP literal', 'https://2130706433/x'],
    ['a hex IP literal', 'https://0x7f.0.0.1/x'],
    ['the cloud metadata address', 'https://169.254.169.254/latest/meta-data/'],
    ['an IPv6 loopback literal', 'https://[::1]/x'],
    ['an IPv4-mapped IPv6 literal', 'https://[::ffff:127.0.0.1]/x'],
    ['a public IP literal (not a name the provider owns)', 'https://157.240.1.35/x'],
    ['plain http to an owned host', 'http://scontent.xx.fbcdn.net/x'],
    ['a file URL', 'file:///etc/passwd'],
    ['a gopher URL', 'gopher://scontent.xx.fbcdn.net/x'],
    ['a non-default port', 'https://scontent.xx.fbcdn.net:8443/x'],
    ['not a URL at all', '/relative/path'],
  ])('refuses %s', (_why, url) => {
    expect(refused(meta, url)).toBe('media_url_refused');
  });

  it('allows a local provider base URL (the tests’ contract server) over http, and only its origin', () => {
    const local = new MediaUrlGuard({ providerBaseUrl: 'http://127.0.0.1:4010', allowedHosts: [] });
    expect(local.local).toBe(true);
    expect(refused(local, 'http://127.0.0.1:4010/media/1')).toBe('accepted');
    expect(refused(local, 'http://127.0.0.1:4011/media/1')).toBe('media_url_refused');
    expect(refused(local, 'http://localhost:4010/media/1')).toBe('media_url_refused');
    expect(refused(local, 'http://u:p@127.0.0.1:4010/media/1')).toBe('media_url_refused');
    expect(meta.local).toBe(false);
  });

  it('keeps tokens out of its messages', () => {
    const tg = new MediaUrlGuard({ providerBaseUrl: 'https://api.telegram.org', allowedHosts: [] });
    expect(() => tg.check('https://evil.example/file/bot123:SECRET/photos/1.jpg?x=SECRET')).toThrow(/bot<token>/);
    expect(redact('https://api.telegram.org/file/bot123:SECRET/a.jpg?access_token=SECRET')).not.toContain('SECRET');
  });
});

describe('isPublicAddress', () => {
  it.each(['10.0.0.1', '172.16.5.4', '192.168.1.1', '127.0.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', 'fe80::1', 'fc00::1', '::ffff:10.0.0.1', '::', 'not-an-ip'])(
    'refuses %s',
    (a) => expect(isPublicAddress(a)).toBe(false),
  );
  it.each(['157.240.1.35', '8.8.8.8', '2a03:2880:f12f:83:face:b00c:0:25de', '::ffff:157.240.1.35'])('accepts %s', (a) => expect(isPublicAddress(a)).toBe(true));
});

describe('MediaUrlGuard.lookup (checked at connect time)', () => {
  const resolve = (guard: MediaUrlGuard, host: string, all: boolean) =>
    new Promise<{ err: { code?: string } | null; address: unknown }>((done) => guard.lookup(host, { all }, (err, address) => done({ err, address })));

  it('refuses a name that resolves to a loopback address when the provider base URL is public', async () => {
    for (const all of [true, false]) {
      const { err } = await resolve(meta, 'localhost', all);
      expect(err?.code).toBe('media_url_refused');
    }
  });

  it('lets the same name through when the provider base URL is itself local (tests)', async () => {
    const local = new MediaUrlGuard({ providerBaseUrl: 'http://localhost:4010', allowedHosts: [] });
    const { err, address } = await resolve(local, 'localhost', false);
    expect(err).toBeNull();
    expect(['127.0.0.1', '::1']).toContain(address);
    const many = await resolve(local, 'localhost', true);
    expect(Array.isArray(many.address) && many.address.length).toBeGreaterThan(0);
  });
});
