import { meanEstimate, tCdf, tQuantile, wilsonInterval } from './stats';

describe('stats', () => {
  // Two-sided 95% critical values from any t table.
  it.each([
    [1, 12.7062], [2, 4.3027], [3, 3.1824], [4, 2.7764], [9, 2.2622], [29, 2.0452], [120, 1.9799], [100000, 1.96],
  ])('t(0.975, df=%d) = %d', (df, expected) => {
    expect(tQuantile(0.975, df)).toBeCloseTo(expected, 3);
  });

  it('has a symmetric t CDF', () => {
    expect(tCdf(0, 5)).toBeCloseTo(0.5, 12);
    expect(tCdf(-2, 7) + tCdf(2, 7)).toBeCloseTo(1, 12);
  });

  it.each([
    [7, 10, 0.396778, 0.89221],
    [1, 4, 0.045587, 0.699359],
    [0, 10, 0, 0.277533],
    [10, 10, 0.722467, 1],
  ])('Wilson %d/%d = [%d, %d]', (k, n, low, high) => {
    const ci = wilsonInterval(k, n);
    expect(ci?.low).toBeCloseTo(low, 5);
    expect(ci?.high).toBeCloseTo(high, 5);
  });

  it('has no interval without data', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(meanEstimate([])).toEqual({ n: 0, mean: null, sd: null, ci: null });
    expect(meanEstimate([3])).toEqual({ n: 1, mean: 3, sd: null, ci: null });
  });

  it('rejects impossible quantiles', () => {
    expect(() => tQuantile(0.3, 5)).toThrow(RangeError);
    expect(() => tQuantile(0.975, 0)).toThrow(RangeError);
  });
});
