import { loadAiWorkerConfig } from './config';

describe('loadAiWorkerConfig', () => {
  it('needs no provider and fills the demo admin key only under the test/demo profiles', () => {
    const c = loadAiWorkerConfig({ OMNI_PROFILE: 'test' });
    expect(c).toMatchObject({ API_KEY: 'omni-demo-admin-key', NLU_FASTTEXT: 'on', AI_TIMEOUT_MS: 8_000 });
    expect(c.AI_BASE_URL).toBeUndefined();
    expect(loadAiWorkerConfig({}).API_KEY).toBeUndefined();
  });

  it('treats blank values as unset and rejects a provider URL without a model', () => {
    expect(loadAiWorkerConfig({ AI_BASE_URL: '', AI_MODEL: '' }).AI_BASE_URL).toBeUndefined();
    expect(() => loadAiWorkerConfig({ AI_BASE_URL: 'http://127.0.0.1:9/v1' })).toThrow(/AI_MODEL/);
    expect(() => loadAiWorkerConfig({ AI_BASE_URL: 'not a url', AI_MODEL: 'm' })).toThrow(/AI_BASE_URL/);
  });
});
