import { DEMO_SECRETS_KEK } from '@omni/secrets';
import { loadWhatsAppConfig } from './config';

describe('channel-whatsapp config', () => {
  it('fails fast in production without the secrets, naming each', () => {
    expect(() => loadWhatsAppConfig({ OMNI_PROFILE: 'production', SECRETS_KEK: DEMO_SECRETS_KEK })).toThrow(/WHATSAPP_APP_SECRET[\s\S]*WHATSAPP_ACCESS_TOKEN|WHATSAPP_ACCESS_TOKEN[\s\S]*WHATSAPP_APP_SECRET/);
    expect(() => loadWhatsAppConfig({ OMNI_PROFILE: 'production', ...secrets(), SECRETS_KEK: '' })).toThrow(/SECRETS_KEK/);
  });

  it('fills harmless demo values under the demo profile; an env value always wins', () => {
    const c = loadWhatsAppConfig({ OMNI_PROFILE: 'demo', WHATSAPP_API_BASE_URL: 'http://127.0.0.1:9999' });
    expect(c.WHATSAPP_API_BASE_URL).toBe('http://127.0.0.1:9999');
    expect(c.WHATSAPP_TEMPLATES).toEqual([{ name: 'reengage', language: 'en', status: 'APPROVED', bodyParams: 1 }]);
    expect(loadWhatsAppConfig({ OMNI_PROFILE: 'production', ...secrets() }).WHATSAPP_API_BASE_URL).toBe('https://graph.facebook.com');
  });

  it('runs linked-device accounts without any Cloud API secret, but never with only some of them', () => {
    const linked = { OMNI_PROFILE: 'production', SECRETS_KEK: DEMO_SECRETS_KEK, WHATSAPP_WEB_ACCOUNTS: 'shop1', WHATSAPP_WEB_ADMIN_TOKEN: 'admin-token-0123456789' };
    const c = loadWhatsAppConfig(linked);
    expect(c.WHATSAPP_WEB_ACCOUNTS).toEqual(['shop1']);
    expect(c.WHATSAPP_APP_SECRET).toBeUndefined();
    expect(() => loadWhatsAppConfig({ ...linked, WHATSAPP_APP_SECRET: 'app-secret-x' })).toThrow(/WHATSAPP_ACCESS_TOKEN/);
    expect(() => loadWhatsAppConfig({ OMNI_PROFILE: 'production', SECRETS_KEK: DEMO_SECRETS_KEK, WHATSAPP_WEB_ACCOUNTS: 'shop1' })).toThrow(/WHATSAPP_WEB_ADMIN_TOKEN/);
    expect(() => loadWhatsAppConfig({ ...linked, WHATSAPP_WEB_ACCOUNTS: 'shop 1' })).toThrow(/RemoteAuth clientId/);
  });

  it('rejects a template list that is not valid JSON of templates', () => {
    expect(() => loadWhatsAppConfig({ OMNI_PROFILE: 'production', ...secrets(), WHATSAPP_TEMPLATES: '[{"name":"x"}]' })).toThrow(/WHATSAPP_TEMPLATES/);
    expect(() => loadWhatsAppConfig({ OMNI_PROFILE: 'production', ...secrets(), WHATSAPP_TEMPLATES: 'nope' })).toThrow(/not JSON/);
  });
});

function secrets(): NodeJS.ProcessEnv {
  return { SECRETS_KEK: DEMO_SECRETS_KEK, WHATSAPP_VERIFY_TOKEN: 'verify-token', WHATSAPP_APP_SECRET: 'app-secret-x', WHATSAPP_ACCESS_TOKEN: 'access-token', WHATSAPP_PHONE_NUMBER_ID: '123456' };
}
