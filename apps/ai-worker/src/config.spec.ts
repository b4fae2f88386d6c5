import { newKek } from '@omni/secrets';
import { loadAiWorkerConfig as load } from './config';

/** Production needs the KEK (crypto-shredding, ADR 0501): every case below but the test profile's gives one. */
const KEK = { SECRETS_KEK: newKek('k1') };
const loadAiWorkerConfig = (env: NodeJS.ProcessEnv) => load(env.OMNI_PROFILE ? env : { ...KEK, ...env });

describe('loadAiWorkerConfig', () => {
  it('needs no provider and fills the demo admin key only under the test/demo profiles', () => {
    const c = loadAiWorkerConfig({ OMNI_PROFILE: 'test' });
    expect(c).toMatchObject({ API_KEY: 'omni-demo-admin-key', NLU_FASTTEXT: 'on', AI_TIMEOUT_MS: 8_000 });
    expect(c.AI_BASE_URL).toBeUndefined();
    expect(loadAiWorkerConfig({}).API_KEY).toBeUndefined();
  });

  it('requires SECRETS_KEK outside the test/demo profiles (it opens and seals opted-in tenants’ events)', () => {
    expect(() => load({})).toThrow(/SECRETS_KEK/);
    expect(load({ OMNI_PROFILE: 'test' }).SECRETS_KEK).toMatch(/^demo:/);
  });

  it('treats blank values as unset and rejects a provider URL without a model', () => {
    expect(loadAiWorkerConfig({ AI_BASE_URL: '', AI_MODEL: '' }).AI_BASE_URL).toBeUndefined();
    expect(() => loadAiWorkerConfig({ AI_BASE_URL: 'http://127.0.0.1:9/v1' })).toThrow(/AI_MODEL/);
    expect(() => loadAiWorkerConfig({ AI_BASE_URL: 'not a url', AI_MODEL: 'm' })).toThrow(/AI_BASE_URL/);
  });

  it('takes a transcription model on the provider, alone or with the chat model, and refuses one without a provider', () => {
    expect(loadAiWorkerConfig({ AI_BASE_URL: 'http://127.0.0.1:9/v1', AI_TRANSCRIPTION_MODEL: 'whisper-1' })).toMatchObject({
      AI_TRANSCRIPTION_MODEL: 'whisper-1', AI_TRANSCRIPTION_TIMEOUT_MS: 30_000, MEDIA_STORE: 'gridfs',
    });
    expect(loadAiWorkerConfig({ AI_BASE_URL: 'http://127.0.0.1:9/v1', AI_MODEL: 'm', AI_TRANSCRIPTION_MODEL: '' }).AI_TRANSCRIPTION_MODEL).toBeUndefined();
    expect(() => loadAiWorkerConfig({ AI_TRANSCRIPTION_MODEL: 'whisper-1' })).toThrow(/needs AI_BASE_URL/);
  });
});
