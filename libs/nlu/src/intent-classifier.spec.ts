import { DEFAULT_INTENT_OPTIONS, IntentClassifier, IntentClassifierJSON } from './intent-classifier';

// No word of the test messages occurs in training: only the word vectors relate them.
const TRAIN = [
  ...['my dog is ill', 'the cat is ill', 'a horse is ill', 'our rabbit is ill'].map((text) => ({ text, label: 'pet' })),
  ...['the bread is stale', 'the cheese is stale', 'this butter is stale', 'the milk is stale'].map((text) => ({ text, label: 'food' })),
];
const NO_EMBEDDINGS = { ...DEFAULT_INTENT_OPTIONS, embeddings: null };

describe('IntentClassifier with the word-vector block', () => {
  const withVectors = IntentClassifier.train(TRAIN);
  const sparseOnly = IntentClassifier.train(TRAIN, NO_EMBEDDINGS);
  const pet = withVectors.labels.indexOf('pet');

  it('relates words never seen in training through the vectors', () => {
    for (const text of ['puppy', 'kitten', 'pony']) {
      expect({ text, label: withVectors.predict(text).label }).toEqual({ text, label: 'pet' });
      expect(withVectors.probabilities(text)[pet]).toBeGreaterThan(sparseOnly.probabilities(text)[pet]);
    }
    const food = withVectors.labels.indexOf('food');
    for (const text of ['yogurt', 'pizza', 'cheddar']) {
      expect({ text, label: withVectors.predict(text).label }).toEqual({ text, label: 'food' });
      expect(withVectors.probabilities(text)[food]).toBeGreaterThan(sparseOnly.probabilities(text)[food]);
    }
  });

  it('gives the English vectors only to messages in English (or of unknown language)', () => {
    expect(withVectors.probabilities('puppy', 'de')[pet]).toBeLessThan(withVectors.probabilities('puppy', 'en')[pet]);
    expect(Array.from(withVectors.probabilities('puppy'))).toEqual(Array.from(withVectors.probabilities('puppy', 'en')));
  });

  it('keeps a text with no known feature at zero known features (the abstain rule)', () => {
    // Thai letters: neither in the training texts nor in the English table.
    expect(withVectors.predict('กขฃ').knownFeatures).toBe(0);
  });

  it('round-trips through JSON (idf rounded to 1e-5), and loads a model saved before the block existed', () => {
    const same = (a: Float64Array, b: Float64Array) => Array.from(a).forEach((v, i) => expect(v).toBeCloseTo(b[i], 5));
    const json = JSON.parse(JSON.stringify(withVectors.toJSON())) as IntentClassifierJSON;
    same(IntentClassifier.fromJSON(json).probabilities('kitten'), withVectors.probabilities('kitten'));
    const old = JSON.parse(JSON.stringify(sparseOnly.toJSON())) as IntentClassifierJSON;
    delete (old.options as { embeddings?: unknown }).embeddings;
    same(IntentClassifier.fromJSON(old).probabilities('my dog'), sparseOnly.probabilities('my dog'));
  });
});

describe('IntentClassifier.fromJSON', () => {
  it('refuses a model whose weights do not fit its features (e.g. the word-vector block removed by hand)', () => {
    const json = JSON.parse(JSON.stringify(IntentClassifier.train(TRAIN).toJSON())) as IntentClassifierJSON;
    const edited = { ...json, options: { ...json.options, embeddings: null } };
    expect(() => IntentClassifier.fromJSON(edited)).toThrow(/has \d+ features, its vectorizer and word vectors give \d+/);
  });
});

describe('IntentClassifier on training data in several languages', () => {
  const MIXED = [
    ...TRAIN.map((e) => ({ ...e, lang: 'en' })),
    ...['mein hund ist krank', 'die katze ist krank'].map((text) => ({ text, label: 'pet', lang: 'de' })),
    ...['das brot ist alt', 'der käse ist alt'].map((text) => ({ text, label: 'food', lang: 'de' })),
  ];

  it('leaves the English-only word vectors out, so English is not the best-served language', () => {
    const model = IntentClassifier.train(MIXED);
    expect(model.options.embeddings).toBeNull();
    const sparse = IntentClassifier.train(MIXED, NO_EMBEDDINGS);
    expect(Array.from(model.probabilities('puppy', 'en'))).toEqual(Array.from(sparse.probabilities('puppy', 'en')));
  });

  it('keeps them when the options ask for it (embeddings.multilingual), and for one language', () => {
    const e = DEFAULT_INTENT_OPTIONS.embeddings ?? { table: 'glove-6b-100d-50k', weight: 1.5 };
    const asked = IntentClassifier.train(MIXED, { ...DEFAULT_INTENT_OPTIONS, embeddings: { ...e, multilingual: true } });
    expect(asked.options.embeddings).toMatchObject({ table: e.table, multilingual: true });
    expect(IntentClassifier.train(TRAIN.map((x) => ({ ...x, lang: 'en' }))).options.embeddings).toMatchObject({ table: e.table });
    const pet = asked.labels.indexOf('pet');
    expect(asked.probabilities('puppy', 'en')[pet]).toBeGreaterThan(IntentClassifier.train(MIXED).probabilities('puppy', 'en')[pet]);
  });
});
