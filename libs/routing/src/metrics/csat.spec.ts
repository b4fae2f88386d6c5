import { SUPPORTED_LANGUAGES } from '../languages';
import { csatPrompt, csatThanks, parseCsatReply } from './csat';

describe('CSAT texts', () => {
  it.each(SUPPORTED_LANGUAGES)('%s asks with the 1-5 scale and thanks', (lang) => {
    const prompt = csatPrompt(lang);
    expect(prompt.language).toBe(lang);
    expect(prompt.text).toMatch(/1[\s\S]*5/);
    expect(csatThanks(lang).length).toBeGreaterThan(3);
    expect(prompt.options.map((o) => o.score)).toEqual([5, 4, 3, 2, 1]);
    for (const o of prompt.options) expect(o.title.length).toBeLessThanOrEqual(20);
  });

  it('uses the customer locale and falls back to English', () => {
    expect(csatPrompt('pt-BR').text).toContain('Como você avalia');
    expect(csatPrompt('ko').language).toBe('en');
    expect(csatPrompt(undefined).language).toBe('en');
  });
});

describe('parseCsatReply', () => {
  it.each([
    ['5', 5], [' 4. ', 4], ['3/5', 3], ['csat:2', 2], ['١', 1], ['๕', 5], ['４', 4], ['⭐⭐⭐', 3], ['★ ★ ★ ★', 4], ['⭐️⭐️', 2],
    ['6', undefined], ['0', undefined], ['I have 2 more questions', undefined], ['45', undefined], ['', undefined], ['⭐⭐⭐⭐⭐⭐', undefined],
  ])('%p -> %p', (reply, expected) => {
    expect(parseCsatReply(reply)).toBe(expected);
  });
});
