import { loadMessengerConfig } from './config';

describe('channel-messenger config', () => {
  it('fails fast in production without the secrets', () => {
    expect(() => loadMessengerConfig({ OMNI_PROFILE: 'production' })).toThrow(/MESSENGER_APP_SECRET/);
  });

  it('fills harmless demo values under the demo profile; an env value always wins', () => {
    const c = loadMessengerConfig({ OMNI_PROFILE: 'demo', MESSENGER_API_BASE_URL: 'http://127.0.0.1:9999' });
    expect(c.MESSENGER_API_BASE_URL).toBe('http://127.0.0.1:9999');
    expect(c.MESSENGER_PAGE_ID).toBe('100000000000002');
    expect(loadMessengerConfig({ OMNI_PROFILE: 'demo' }).MESSENGER_API_BASE_URL).toBe('https://graph.facebook.com');
  });
});
