import { normalizeLanguage, textLanguage } from './languages';

describe('normalizeLanguage', () => {
  it.each([
    ['pt-BR', 'pt'],
    ['zh_Hant', 'zh'],
    ['EN', 'en'],
    ['in', 'id'],
    [' vi ', 'vi'],
    ['ja', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%p -> %p', (tag, expected) => {
    expect(normalizeLanguage(tag)).toBe(expected);
  });

  it('falls back for unsupported tags when rendering text', () => {
    expect(textLanguage('ja')).toBe('en');
    expect(textLanguage('ja', 'es')).toBe('es');
    expect(textLanguage('ar-EG')).toBe('ar');
  });
});
