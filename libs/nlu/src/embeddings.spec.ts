import { loadWordEmbeddings, WordEmbeddings } from './embeddings';

const cosine = (a: Float64Array, b: Float64Array): number => a.reduce((s, v, i) => s + v * b[i], 0);

describe('WordEmbeddings', () => {
  const table = WordEmbeddings.decode(
    WordEmbeddings.encode(
      ['do', "n't", 'can', 'card', 'lost'],
      [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
        [0.5, -0.25, 0.125],
        [-2, 1, 0.5],
      ],
      3,
    ),
  );

  it('round-trips the file format within the 8-bit quantization error', () => {
    expect(table.size).toBe(5);
    expect(table.dimensions).toBe(3);
    const v = new Float64Array(3);
    table.addRow(table.rows('lost')[0], 1, v);
    [-2, 1, 0.5].forEach((x, d) => expect(v[d]).toBeCloseTo(x, 1));
    expect(Math.abs(v[0] + 2)).toBeLessThan(2 / 127);
  });

  it('rejects a file that is not a word-vector table or whose word list is cut', () => {
    expect(() => WordEmbeddings.decode(Buffer.from('not a table at all'))).toThrow(/not an omni word-vector file/);
    const ok = WordEmbeddings.encode(['a', 'b'], [[1], [2]], 1);
    expect(() => WordEmbeddings.decode(ok.subarray(0, ok.length - 2))).toThrow(/lists 1 words, header says 2/);
  });

  it('splits contractions the way the vectors were tokenized, and knows no unknown word', () => {
    expect(table.rows("don't")).toEqual([0, 1]);
    expect(table.rows('don’t')).toEqual([0, 1]);
    expect(table.rows("can't")).toEqual([2, 1]);
    expect(table.rows('card')).toEqual([3]);
    expect(table.rows('qwzx')).toEqual([]);
  });

  it('sentence vector: weighted mean at unit length; all zeros without a known word', () => {
    const v = table.sentenceVector(['do', 'can', '<order>'], (t) => (t === 'do' ? 3 : 1));
    expect(v[0]).toBeCloseTo(3 / Math.sqrt(10), 2);
    expect(v[2]).toBeCloseTo(1 / Math.sqrt(10), 2);
    expect(v[1]).toBeCloseTo(0, 6);
    expect(Array.from(table.sentenceVector(['qwzx', '<amount>'], () => 1))).toEqual([0, 0, 0]);
  });

  it('ships GloVe 100d for 50,000 words, loaded once, with related words closer than unrelated ones', () => {
    const glove = loadWordEmbeddings('glove-6b-100d-50k');
    expect(loadWordEmbeddings('glove-6b-100d-50k')).toBe(glove);
    expect(glove.size).toBe(50000);
    expect(glove.dimensions).toBe(100);
    const vec = (w: string) => glove.sentenceVector([w], () => 1);
    expect(cosine(vec('refund'), vec('reimbursement'))).toBeGreaterThan(cosine(vec('refund'), vec('giraffe')) + 0.2);
    expect(cosine(vec('card'), vec('cards'))).toBeGreaterThan(0.7);
    expect(() => loadWordEmbeddings('no-such-table')).toThrow(/unknown word-vector table "no-such-table"/);
  });
});
