/**
 * Linear models over sparse TF-IDF vectors.
 *
 * Weights are stored feature-major (weights[feature * classes + class]) so scoring one message
 * touches a few hundred contiguous rows: scoring 77 classes costs microseconds.
 */
import { SparseVector } from './vectorizer';
import { createRandom, shuffleInPlace } from './random';

export interface LinearModelJSON {
  readonly classes: number;
  readonly features: number;
  /** Float32 weights, little-endian, base64 (JSON numbers would be ~4x larger). */
  readonly weights: string;
  readonly bias: number[];
}

export class LinearModel {
  constructor(
    readonly classes: number,
    readonly features: number,
    readonly weights: Float32Array,
    readonly bias: Float32Array,
  ) {}

  scores(x: SparseVector, out: Float64Array = new Float64Array(this.classes)): Float64Array {
    const C = this.classes;
    for (let c = 0; c < C; c++) out[c] = this.bias[c];
    for (let k = 0; k < x.idx.length; k++) {
      const base = x.idx[k] * C;
      const v = x.val[k];
      for (let c = 0; c < C; c++) out[c] += this.weights[base + c] * v;
    }
    return out;
  }

  toJSON(): LinearModelJSON {
    const bytes = Buffer.from(this.weights.buffer, this.weights.byteOffset, this.weights.byteLength);
    return { classes: this.classes, features: this.features, weights: bytes.toString('base64'), bias: Array.from(this.bias) };
  }

  static fromJSON(json: LinearModelJSON): LinearModel {
    const buf = Buffer.from(json.weights, 'base64');
    // Copy into an aligned buffer: Buffer.from may return a view at an odd offset in the pool.
    const weights = new Float32Array(json.classes * json.features);
    new Uint8Array(weights.buffer).set(buf);
    return new LinearModel(json.classes, json.features, weights, Float32Array.from(json.bias));
  }
}

export interface SvmOptions {
  /** Inverse regularization strength (liblinear's C). */
  readonly c: number;
  readonly epochs: number;
  readonly seed: number;
  /** Weight of positive examples relative to negatives in each one-vs-rest problem. */
  readonly classBalanced: boolean;
}

/**
 * One-vs-rest L2-regularized squared-hinge SVM, trained by dual coordinate descent (the liblinear
 * algorithm, Hsieh et al. 2008): no learning rate to tune, converges in a few passes on text.
 */
export function trainOvrSvm(
  xs: readonly SparseVector[],
  ys: readonly number[],
  classes: number,
  features: number,
  o: SvmOptions,
): LinearModel {
  const n = xs.length;
  const weights = new Float32Array(features * classes);
  const bias = new Float32Array(classes);
  const sqNorm = xs.map((x) => x.val.reduce((s, v) => s + v * v, 0) + 1); // +1: the bias feature
  const counts = new Array<number>(classes).fill(0);
  for (const y of ys) counts[y]++;
  const w = new Float64Array(features);
  const alpha = new Float64Array(n);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let c = 0; c < classes; c++) {
    const random = createRandom(o.seed + c);
    w.fill(0);
    alpha.fill(0);
    let b = 0;
    // Balanced: positives weigh as much in total as negatives, so rare intents are not drowned.
    const cPos = o.classBalanced ? o.c * Math.min(10, (n - counts[c]) / Math.max(1, counts[c])) ** 0.5 : o.c;
    const cNeg = o.c;
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      shuffleInPlace(order, random);
      let maxPg = 0;
      for (const i of order) {
        const x = xs[i];
        const y = ys[i] === c ? 1 : -1;
        const d = 1 / (2 * (y > 0 ? cPos : cNeg));
        let dot = b;
        for (let k = 0; k < x.idx.length; k++) dot += w[x.idx[k]] * x.val[k];
        const g = y * dot - 1 + d * alpha[i];
        const pg = alpha[i] === 0 ? Math.min(g, 0) : g;
        if (Math.abs(pg) < 1e-12) continue;
        maxPg = Math.max(maxPg, Math.abs(pg));
        const old = alpha[i];
        alpha[i] = Math.max(old - g / (sqNorm[i] + d), 0);
        const delta = (alpha[i] - old) * y;
        for (let k = 0; k < x.idx.length; k++) w[x.idx[k]] += delta * x.val[k];
        b += delta;
      }
      if (maxPg < 1e-3) break;
    }
    for (let j = 0; j < features; j++) weights[j * classes + c] = w[j];
    bias[c] = b;
  }
  return new LinearModel(classes, features, weights, bias);
}

export interface SoftmaxOptions {
  /** L2 penalty per example. */
  readonly l2: number;
  readonly epochs: number;
  readonly learningRate: number;
  readonly seed: number;
  /**
   * Average the end-of-epoch weights of the second half of training (Polyak-Ruppert style):
   * the last SGD iterate is noisy, the average sits closer to the optimum.
   */
  readonly average?: boolean;
}

/**
 * Multinomial logistic regression by SGD with lazy L2 (weights are scaled, not touched, per step),
 * giving probabilities that are better calibrated than SVM margins for the abstain decision.
 */
export function trainSoftmax(
  xs: readonly SparseVector[],
  ys: readonly number[],
  classes: number,
  features: number,
  o: SoftmaxOptions,
): LinearModel {
  const C = classes;
  const n = xs.length;
  const w = new Float64Array(features * C);
  const b = new Float64Array(C);
  let scale = 1;
  const random = createRandom(o.seed);
  const order = Array.from({ length: n }, (_, i) => i);
  const p = new Float64Array(C);
  let t = 0;
  const avgW = o.average ? new Float64Array(features * C) : null;
  const avgB = o.average ? new Float64Array(C) : null;
  let snapshots = 0;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    shuffleInPlace(order, random);
    for (const i of order) {
      const lr = o.learningRate / (1 + o.learningRate * o.l2 * t++);
      const x = xs[i];
      for (let c = 0; c < C; c++) p[c] = b[c];
      for (let k = 0; k < x.idx.length; k++) {
        const base = x.idx[k] * C;
        const v = x.val[k] * scale;
        for (let c = 0; c < C; c++) p[c] += w[base + c] * v;
      }
      let max = -Infinity;
      for (let c = 0; c < C; c++) max = Math.max(max, p[c]);
      let sum = 0;
      for (let c = 0; c < C; c++) sum += p[c] = Math.exp(p[c] - max);
      for (let c = 0; c < C; c++) p[c] /= sum;
      p[ys[i]] -= 1;
      scale *= 1 - lr * o.l2;
      if (scale < 1e-6) {
        for (let j = 0; j < w.length; j++) w[j] *= scale;
        scale = 1;
      }
      const step = lr / scale;
      for (let k = 0; k < x.idx.length; k++) {
        const base = x.idx[k] * C;
        const v = x.val[k] * step;
        for (let c = 0; c < C; c++) w[base + c] -= p[c] * v;
      }
      for (let c = 0; c < C; c++) b[c] -= lr * p[c];
    }
    if (avgW && avgB && epoch >= Math.floor(o.epochs / 2)) {
      for (let j = 0; j < w.length; j++) avgW[j] += w[j] * scale;
      for (let c = 0; c < C; c++) avgB[c] += b[c];
      snapshots++;
    }
  }
  if (avgW && avgB && snapshots > 0) {
    const weights = new Float32Array(features * C);
    for (let j = 0; j < w.length; j++) weights[j] = avgW[j] / snapshots;
    return new LinearModel(C, features, weights, Float32Array.from(avgB, (v) => v / snapshots));
  }
  const weights = new Float32Array(features * C);
  for (let j = 0; j < w.length; j++) weights[j] = w[j] * scale;
  return new LinearModel(C, features, weights, Float32Array.from(b));
}
