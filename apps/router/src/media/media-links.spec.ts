import { MediaLinks } from './media-links';

const ID = 'ab'.repeat(32);

describe('MediaLinks', () => {
  let now = Date.parse('2026-06-10T12:00:00Z');
  const links = new MediaLinks({ baseUrl: 'https://gw.example.test/', secret: 'unit-media-link-secret-0123456789abcdef', ttlMs: 3_600_000 }, () => now);
  const parts = (url: string) => {
    const u = new URL(url);
    const [, , tenant, id] = u.pathname.split('/');
    return { tenant: decodeURIComponent(tenant), id, exp: u.searchParams.get('exp') ?? undefined, sig: u.searchParams.get('sig') ?? undefined };
  };

  it('signs one file of one tenant until it expires', () => {
    const url = links.sign('acme eu', ID);
    expect(url).toMatch(new RegExp(`^https://gw\\.example\\.test/media-links/acme%20eu/${ID}\\?exp=\\d+&sig=[a-f0-9]{64}$`));
    const p = parts(url);
    expect(links.verify(p.tenant, p.id, p.exp, p.sig)).toBe(true);
    expect(links.verify('other', p.id, p.exp, p.sig)).toBe(false);
    expect(links.verify(p.tenant, 'cd'.repeat(32), p.exp, p.sig)).toBe(false);
    expect(links.verify(p.tenant, p.id, String(Number(p.exp) + 60), p.sig)).toBe(false);
    expect(links.verify(p.tenant, p.id, p.exp, undefined)).toBe(false);
    expect(links.verify(p.tenant, p.id, 'soon', p.sig)).toBe(false);
    now += 3_600_000 + 1_000;
    expect(links.verify(p.tenant, p.id, p.exp, p.sig)).toBe(false);
  });

  it('depends on the secret', () => {
    const p = parts(links.sign('t1', ID));
    const other = new MediaLinks({ baseUrl: 'https://gw.example.test', secret: 'another-secret-of-32-characters-at-least', ttlMs: 3_600_000 }, () => now);
    expect(other.verify(p.tenant, p.id, p.exp, p.sig)).toBe(false);
  });
});
