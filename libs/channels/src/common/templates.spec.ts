import { FatalError } from '@omni/contracts';
import { TemplateRegistry, languageChain, normalizeLanguage } from './templates';

describe('template registry', () => {
  const registry = new TemplateRegistry([
    { name: 'reengage', language: 'pt_BR', status: 'APPROVED' },
    { name: 'reengage', language: 'en_US', status: 'APPROVED' },
    { name: 'reengage', language: 'es', status: 'REJECTED' },
    { name: 'order_update', language: 'de', status: 'PENDING' },
  ]);

  it('normalizes language codes and builds the fallback chain', () => {
    expect(normalizeLanguage('pt-br')).toBe('pt_BR');
    expect(languageChain('pt_BR')).toEqual(['pt_BR', 'pt', 'en']);
    expect(languageChain(undefined, ['en_GB'])).toEqual(['en_GB', 'en']);
  });

  it('picks the exact language, then a regional variant of the base language, then the fallback', () => {
    expect(registry.pick('reengage', 'pt-BR').language).toBe('pt_BR');
    expect(registry.pick('reengage', 'pt_PT').language).toBe('pt_BR');
    expect(registry.pick('reengage', 'fr').language).toBe('en_US');
    expect(registry.pick('reengage', undefined).language).toBe('en_US');
  });

  it('never picks a template that is not approved, and says why', () => {
    expect(registry.pick('reengage', 'es').language).toBe('en_US');
    expect(() => registry.pick('order_update', 'de')).toThrow(FatalError);
    expect(() => registry.pick('order_update', 'de')).toThrow(/no approved template "order_update".*de:PENDING/);
    expect(() => registry.pick('missing', 'de')).toThrow(/registered: none/);
  });
});
