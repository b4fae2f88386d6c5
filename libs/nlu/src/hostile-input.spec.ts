import { NluEngine } from './engine';
import { DEFAULT_ORDER_PATTERNS, EntityExtractor } from './entities';
import { capText, MAX_TEXT_CHARS } from './limits';
import { unsafeOrderPattern } from './order-patterns';

/**
 * Issue 15 #6: what a sender or a tenant controls must not make analysis unbounded. Where a cost
 * can be counted the test counts it (characters read, patterns run); the e-mail pattern's
 * backtracking cannot be counted from outside V8, so its test gives 100 KB a generous second
 * (the quadratic pattern took 16-22 s on these inputs).
 */
const examples = [
  { text: 'where is my order', label: 'order_status', lang: 'en' },
  { text: 'track my parcel ORD-483920', label: 'order_status', lang: 'en' },
  { text: 'i want my money back', label: 'refund', lang: 'en' },
  { text: 'refund order #558213 please', label: 'refund', lang: 'en' },
];
const HUNDRED_KB = 100_000;

function timed<T>(fn: () => T): { result: T; ms: number } {
  const t0 = performance.now();
  const result = fn();
  return { result, ms: performance.now() - t0 };
}

describe('hostile input to the NLU', () => {
  it(`reads at most ${MAX_TEXT_CHARS} characters of a message, and says so`, () => {
    const engine = NluEngine.train(examples);
    const hostile = `where is my order ORD-483920 ${'and again '.repeat(100_000)}`; // 1 MB of words
    const a = engine.analyze(hostile);
    expect(a.truncated).toBe(true);
    expect(a.text.length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
    expect(a.entities.map((e) => e.value)).toContain('ORD-483920');
    expect(a.reasons).toContain(`text: read the first ${MAX_TEXT_CHARS} of ${hostile.length} characters`);
    expect(engine.analyze('where is my order').truncated).toBe(false);
  });

  it('never splits a surrogate pair at the cap', () => {
    const c = capText('a'.repeat(MAX_TEXT_CHARS - 1) + '😀' + 'b');
    expect(c).toMatchObject({ truncated: true, originalLength: MAX_TEXT_CHARS + 2 });
    expect(c.text).toBe('a'.repeat(MAX_TEXT_CHARS - 1));
  });

  it.each([
    ['a run of letters with no @', 'a'.repeat(HUNDRED_KB)],
    ['one @ before a long domain without a dot', `a@${'b'.repeat(HUNDRED_KB)}`],
    ['dotted words without an @', 'ab.'.repeat(HUNDRED_KB / 3)],
  ])('finds e-mail addresses in linear time: %s (100 KB)', (_name, hostile) => {
    const extractor = new EntityExtractor({ orderPatterns: DEFAULT_ORDER_PATTERNS });
    const { result, ms } = timed(() => extractor.extract(hostile).filter((e) => e.type === 'email'));
    expect(result).toEqual([]);
    expect(ms).toBeLessThan(1000);
  });

  it('still finds ordinary addresses, once each', () => {
    const extractor = new EntityExtractor({ orderPatterns: [] });
    const found = extractor.extract('mail john.doe+x@example.co.uk or (ana@correo.es), not @nobody');
    expect(found.filter((e) => e.type === 'email').map((e) => e.value)).toEqual(['john.doe+x@example.co.uk', 'ana@correo.es']);
  });

  it.each([
    ['(ORD)-\\1', /backreferences/],
    ['(?<o>ORD)\\k<o>', /backreferences/],
    ['(?=ORD)\\d{5}', /linear-time engine.*unsupported Perl syntax/],
    ['(unclosed', /linear-time engine.*missing closing \)/],
    ['\\d{1001}', /invalid repeat count/],
    ['x'.repeat(201), /longer than 200/],
  ])('refuses the tenant order pattern %s', (pattern, reason) => {
    expect(unsafeOrderPattern(pattern)).toMatch(reason);
  });

  it.each([...DEFAULT_ORDER_PATTERNS, '\\bSO-[A-Z]{2}\\d{4}\\b', '\\b(?:ORD|ODR)[-\\s]?\\d{5,10}\\b'])('accepts the order pattern %s', (pattern) => {
    expect(unsafeOrderPattern(pattern)).toBeNull();
  });

  it('runs a pattern that is exponential on a backtracking engine in linear time, and skips one RE2 cannot run', () => {
    const extractor = new EntityExtractor({ orderPatterns: ['(a+)+$', '(?=SO)X', '\\bSO-\\d{4}\\b'] });
    expect(extractor.refusedPatterns).toEqual([{ pattern: '(?=SO)X', reason: expect.stringMatching(/linear-time engine/) }]);
    // 40 a's and a '!' are 2^40 steps for (a+)+$ on a backtracking engine: this test could not end if RegExp ran it.
    const found = extractor.extract(`${'a'.repeat(40)}! SO-1234 ${'a'.repeat(30)}`);
    expect(found.filter((e) => e.type === 'order_number').map((e) => e.value)).toEqual(['SO-1234', 'A'.repeat(30)]);
  });

  it('finds order numbers at their UTF-16 positions after astral characters', () => {
    const extractor = new EntityExtractor({ orderPatterns: ['\\bSO-\\d{4}\\b'] });
    const text = '😀 é SO-1234';
    const [order] = extractor.extract(text).filter((e) => e.type === 'order_number');
    expect(order && text.slice(order.start, order.end)).toBe('SO-1234');
  });
});
