import { ConfigError } from '@omni/platform';
import { DEMO_SECRETS_KEK, newKek } from '@omni/secrets';
import { loadRouterConfig } from './config';

describe('router config', () => {
  it('requires the KEK in production (no default secret there)', () => {
    expect(() => loadRouterConfig({})).toThrow(ConfigError);
    expect(() => loadRouterConfig({})).toThrow(/SECRETS_KEK/);
    expect(() => loadRouterConfig({ SECRETS_KEK: 'k1:short' })).toThrow(/SECRETS_KEK/);
    const kek = newKek('prod-1');
    const c = loadRouterConfig({ SECRETS_KEK: kek });
    expect(c.SECRETS_KEK).toBe(kek);
    expect(c.API_KEY).toBeUndefined();
    expect(c.WHATSAPP_PHONE_NUMBER_ID).toBeUndefined();
  });

  it('fills the published demo KEK and the demo accounts under the demo/test profiles only, an env value winning', () => {
    const c = loadRouterConfig({ OMNI_PROFILE: 'demo' });
    expect(c.SECRETS_KEK).toBe(DEMO_SECRETS_KEK);
    expect(c.WHATSAPP_PHONE_NUMBER_ID).toBe('100000000000001');
    const own = newKek('mine');
    expect(loadRouterConfig({ OMNI_PROFILE: 'test', SECRETS_KEK: own, SECRETS_KEK_PREVIOUS: DEMO_SECRETS_KEK })).toMatchObject({ SECRETS_KEK: own, SECRETS_KEK_PREVIOUS: [DEMO_SECRETS_KEK] });
  });
});
