import { caught } from '../testing';
import { assignVariant, hashToUnit, parseExperiment, variantGreeting } from './assignment';

const customers = Array.from({ length: 20_000 }, (_, i) => `cust-${i}`);
const share = (counts: Map<string, number>, id: string) => (counts.get(id) ?? 0) / customers.length;
const tally = (ids: string[]) => ids.reduce((m, id) => m.set(id, (m.get(id) ?? 0) + 1), new Map<string, number>());

describe('assignVariant', () => {
  const ab = parseExperiment({ id: 'exp-1', variants: [{ id: 'buttons', weight: 1 }, { id: 'free_text', weight: 1 }] });

  it('hashes like any other SHA-256 implementation (values computed with Python hashlib)', () => {
    // Pinned so a refactor cannot silently reshuffle every running experiment.
    expect(hashToUnit('exp-1\u0000cust-42')).toBe(0.07575716989087411);
    expect(hashToUnit('greeting\u0000c-1')).toBe(0.6526002172556105);
    expect(assignVariant(ab, 'cust-42')).toBe('buttons');
  });

  it('is stable for the same (experiment, customer)', () => {
    const first = customers.slice(0, 500).map((c) => assignVariant(ab, c));
    const again = customers.slice(0, 500).map((c) => assignVariant(parseExperiment({ ...ab }), c));
    expect(again).toEqual(first);
  });

  it.each([
    [[1, 1], [0.5, 0.5]],
    [[1, 3], [0.25, 0.75]],
    [[70, 20, 10], [0.7, 0.2, 0.1]],
  ])('weights %j split about %j', (weights, expected) => {
    const exp = parseExperiment({ id: `w-${weights.join('-')}`, variants: weights.map((weight, i) => ({ id: `v${i}`, weight })) });
    const counts = tally(customers.map((c) => assignVariant(exp, c)));
    // 20,000 draws: one binomial standard deviation is at most 0.0035; allow about 3.
    expected.forEach((p, i) => expect(Math.abs(share(counts, `v${i}`) - p)).toBeLessThan(0.011));
  });

  it('assigns independently across experiments', () => {
    const other = parseExperiment({ id: 'exp-2', variants: ab.variants });
    const same = customers.filter((c) => assignVariant(ab, c) === assignVariant(other, c)).length / customers.length;
    expect(Math.abs(same - 0.5)).toBeLessThan(0.011);
  });

  it('reshuffles when the salt changes', () => {
    const salted = parseExperiment({ ...ab, salt: 'v2' });
    const moved = customers.filter((c) => assignVariant(ab, c) !== assignVariant(salted, c)).length;
    expect(moved).toBeGreaterThan(customers.length * 0.4);
  });

  it.each([
    [{ id: 'x', variants: [] }],
    [{ id: 'x', variants: [{ id: 'a', weight: 0 }] }],
    [{ id: 'x', variants: [{ id: 'a', weight: 1 }, { id: 'a', weight: 1 }] }],
    [{ variants: [{ id: 'a', weight: 1 }] }],
  ])('rejects %j', (input) => {
    expect(caught(() => parseExperiment(input))).toMatchObject({ code: 'validation_failed' });
  });
});

describe('flow params', () => {
  const exp = parseExperiment({
    id: 'flow', variants: [
      { id: 'strict', weight: 1, params: { handoffThreshold: 2, greeting: { en: 'Hi!', es: '¡Hola!' }, replyStyle: 'buttons' } },
      { id: 'control', weight: 1 },
    ],
  });

  it('keeps the params of each variant', () => {
    expect(exp.variants[0]?.params).toEqual({ handoffThreshold: 2, greeting: { en: 'Hi!', es: '¡Hola!' }, replyStyle: 'buttons' });
    expect(exp.variants[1]?.params).toBeUndefined();
  });

  it.each([
    ['es-MX', '¡Hola!'],
    ['en', 'Hi!'],
    ['th', 'Hi!'],
    [undefined, 'Hi!'],
  ])('greets a %s customer with %s', (locale, text) => {
    expect(variantGreeting(exp.variants[0]?.params, locale)).toBe(text);
  });

  it('has no greeting without one', () => {
    expect(variantGreeting(exp.variants[1]?.params, 'en')).toBeUndefined();
    expect(variantGreeting({ greeting: { es: 'Hola' } }, 'fr')).toBeUndefined();
  });

  it.each([
    [{ handoffThreshold: 0 }],
    [{ greeting: { English: 'Hi' } }],
    [{ replyStyle: 'carousel' }],
    [{ colour: 'blue' }],
  ])('rejects params %j', (params) => {
    expect(caught(() => parseExperiment({ id: 'x', variants: [{ id: 'a', weight: 1, params }] }))).toMatchObject({ code: 'validation_failed' });
  });
});
