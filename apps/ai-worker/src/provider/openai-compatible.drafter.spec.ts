import { aConfig } from '../testing';
import { chatMessages, drafterFromConfig } from './openai-compatible.drafter';

describe('drafterFromConfig', () => {
  it('configures no provider without AI_BASE_URL', () => {
    expect(drafterFromConfig(aConfig())).toBeNull();
  });

  it('configures the provider named by its model, behind a closed breaker', () => {
    const d = drafterFromConfig(aConfig({ AI_BASE_URL: 'http://127.0.0.1:9/v1', AI_MODEL: 'small-model', AI_TIMEOUT_MS: '1500' }));
    expect(d?.name).toBe('openai-compatible:small-model');
    expect(d?.breaker.name).toBe('ai-provider');
    expect(d?.breaker.closed).toBe(true);
    d?.shutdown();
  });
});

describe('chatMessages', () => {
  it('grounds the reply in the article, in the customer’s language, keeping placeholders', () => {
    const [system, user] = chatMessages({ tenantId: 't', language: 'th', intent: 'order_status', customerText: 'ออเดอร์ [order_number_1] อยู่ไหน', article: 'Track [order_number_1] here.' });
    expect(system?.content).toContain('Reply in Thai');
    expect(system?.content).toContain('Track [order_number_1] here.');
    expect(system?.content).toContain('Keep placeholders');
    expect(user).toEqual({ role: 'user', content: 'ออเดอร์ [order_number_1] อยู่ไหน' });
  });
});
