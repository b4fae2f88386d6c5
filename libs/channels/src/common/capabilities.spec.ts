import { WHATSAPP_CAPABILITIES } from '../whatsapp/capabilities';
import { splitText, withRateLimits } from './capabilities';

describe('splitText', () => {
  it('keeps short text whole, and an empty text as one empty part', () => {
    expect(splitText('hello', 10)).toEqual(['hello']);
    expect(splitText('', 10)).toEqual(['']);
  });

  it('prefers line and word boundaries and never exceeds the limit', () => {
    expect(splitText('aaaa bbbb\ncccc dddd', 12)).toEqual(['aaaa bbbb', 'cccc dddd']);
    const parts = splitText('x'.repeat(25), 10);
    expect(parts).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
  });

  it('never cuts an emoji (surrogate pair) in half', () => {
    const text = `${'a'.repeat(9)}\u{1F600}${'b'.repeat(5)}`;
    const parts = splitText(text, 10);
    expect(parts.join('')).toBe(text);
    expect(parts.every((p) => !/[\uD800-\uDBFF]$/.test(p))).toBe(true);
  });
});

describe('withRateLimits', () => {
  it('overrides one account\'s limits without touching the defaults', () => {
    const upgraded = withRateLimits(WHATSAPP_CAPABILITIES, { perAccount: { limit: 1000, intervalMs: 1000 } });
    expect(upgraded.rateLimits.perAccount.limit).toBe(1000);
    expect(WHATSAPP_CAPABILITIES.rateLimits.perAccount.limit).toBe(80);
  });
});
