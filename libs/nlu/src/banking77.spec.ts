/**
 * Quality guard on a public benchmark: Banking77 (Casanueva et al. 2020, CC BY 4.0; see
 * libs/nlu/data/banking77/SOURCE.md, copied into the repository so a clone stands alone). Retrains from train.csv with the default pipeline and asserts
 * test accuracy stays at or above a floor just under the measured figure (README "Measured").
 * Deterministic (seeded SGD, sorted vocabulary), not timed.
 */
import * as path from 'node:path';
import { loadExamples } from './data';
import { NluEngine } from './engine';

const DATA = path.resolve(__dirname, '../data/banking77');
const FLOOR = 0.922; // measured 92.34% (ADR 0100: GloVe sentence vector + LR + SVM)

describe('Banking77 floor', () => {
  it(`test accuracy ≥ ${FLOOR * 100}% after retraining on train.csv`, () => {
    const train = loadExamples(path.join(DATA, 'train.csv'));
    const test = loadExamples(path.join(DATA, 'test.csv'));
    expect(train).toHaveLength(10003);
    expect(test).toHaveLength(3080);
    const engine = NluEngine.train(train, null);
    expect(engine.labels).toHaveLength(77);
    let ok = 0;
    for (const ex of test) if (engine.analyze(ex.text).intent.name === ex.label) ok++;
    const accuracy = ok / test.length;
    console.log(`Banking77 test accuracy ${(100 * accuracy).toFixed(2)}%`);
    expect(accuracy).toBeGreaterThanOrEqual(FLOOR);
  }, 300_000); // training takes ~19 s of CPU; minutes of wall time on a loaded 2-core machine
});
