import { ConfigError } from '@omni/platform';
import { loadWebConfig } from './config';

describe('channel-web config', () => {
  it('requires WEB_SESSION_SECRET in production', () => {
    expect(() => loadWebConfig({ OMNI_PROFILE: 'production' })).toThrow(ConfigError);
    expect(() => loadWebConfig({ OMNI_PROFILE: 'production' })).toThrow(/WEB_SESSION_SECRET/);
  });

  it('requires SECRETS_KEK in production (it seals opted-in tenants’ events, ADR 0501)', () => {
    expect(() => loadWebConfig({ OMNI_PROFILE: 'production', WEB_SESSION_SECRET: 'x'.repeat(40) })).toThrow(/SECRETS_KEK/);
    expect(loadWebConfig({ OMNI_PROFILE: 'test' }).SECRETS_KEK).toMatch(/^demo:/);
  });

  it('fills a demo secret only under the demo and test profiles', () => {
    expect(loadWebConfig({ OMNI_PROFILE: 'test' }).WEB_SESSION_SECRET.length).toBeGreaterThanOrEqual(32);
  });

  it('reads the allowed origins as a comma list, naming a bad entry', () => {
    const env = { OMNI_PROFILE: 'test', WEB_ALLOWED_ORIGINS: ' https://shop.example, http://localhost:8080 ' };
    expect(loadWebConfig(env).WEB_ALLOWED_ORIGINS).toEqual(['https://shop.example', 'http://localhost:8080']);
    expect(() => loadWebConfig({ OMNI_PROFILE: 'test', WEB_ALLOWED_ORIGINS: 'shop' })).toThrow(/WEB_ALLOWED_ORIGINS/);
  });
});
